"""Save poses, with movement's ``save_poses`` names."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any, Literal

import attrs
import ndx_pose  # noqa: F401 - registers ndx-pose's types now, as movement's save_poses does
import numpy as np
import pandas as pd
import xarray as xr

from posebridge import _dropped_facts, api, errors, model, registry
from posebridge._recorded_warnings import held_until_done
from posebridge.errors import (
    DatasetKindError,
    PoseBridgeError,
    expect_dataset,
    expect_path,
    user_stacklevel,
)
from posebridge.formats.nwb.config import NWBFileSaveConfig  # movement's save_poses has it
from posebridge.io import _dropin
from posebridge.model import labels as labels_model

__all__ = [
    "NWBFileSaveConfig",
    "to_anipose_file",
    "to_dlc_file",
    "to_dlc_style_df",
    "to_lp_file",
    "to_nwb_file",
    "to_sleap_analysis_file",
    "to_slp_file",
]

PathLike = str | os.PathLike[str]

#: the scorer movement's DeepLabCut-style writers put in the first header row
MOVEMENT_SCORER = "movement"


def _movement_columns(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with only what movement's DeepLabCut / LightningPose writers write.

    movement writes x, y (, z) and likelihood per keypoint; posebridge's own
    writer adds a column per other per-keypoint variable (Anipose's
    ``reprojection_error``, ``camera_count``...), which movement's loaders
    refuse. A variable along a ``view`` dim is one too: a lone view is written
    as that camera's file (several are refused by the writer), so with the view
    or without it the file holds the same columns. Labels datasets keep theirs
    (their ``visible`` flags decide which points DeepLabCut's CollectedData holds).
    """
    expect_dataset(ds)
    if labels_model.is_labels(ds):
        return ds
    # or one individual selected; a lone camera view is that camera's file
    per_keypoint = {model.TIME, model.KEYPOINT, model.INDIVIDUAL, model.VIEW}
    extra = [
        name
        for name, var in ds.data_vars.items()
        if name not in ("position", "confidence")
        and {model.TIME, model.KEYPOINT} <= set(var.dims) <= per_keypoint
    ]
    return ds.drop_vars(extra)


def _with_movement_scorer(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with ``attrs["scorer"] = "movement"`` when it names none, as movement writes.

    movement's DeepLabCut writer (its LightningPose writer too) writes the
    scorer ``movement``; ``posebridge.save`` writes ``posebridge`` to DeepLabCut
    files and ``posebridge_tracker`` to LightningPose files (a ``*_tracker``
    scorer, as LightningPose's own, by which :func:`posebridge.detect` tells
    the file from DeepLabCut's). A scorer
    the dataset names (read from a file) is kept, and so are labels as they are; a
    scorer attribute that names none (``None``, blank, not text) is replaced.
    """
    scorer = ds.attrs.get("scorer")
    if (isinstance(scorer, str) and scorer.strip()) or labels_model.is_labels(ds):
        return ds
    return ds.assign_attrs(scorer=MOVEMENT_SCORER)


def _warn_not_written(ds: xr.Dataset, format_name: str, target: str) -> None:
    """The warnings ``posebridge.save`` gives before writing ``ds`` as ``format_name``:
    a per-individual confidence spread over the keypoints, and each fact of the frames
    or instances the format does not keep (``target`` names the object written)."""
    fmt = registry.get(format_name)
    _dropped_facts.warn_individual_confidence(ds, fmt)
    _dropped_facts.warn_frame_facts_dropped(ds, fmt, target, {})
    _dropped_facts.warn_instance_facts_dropped(ds, fmt, target, {})


def _skeleton_nodes_as_movement(
    ds: xr.Dataset, config: NWBFileSaveConfig
) -> tuple[xr.Dataset, NWBFileSaveConfig]:
    """``ds`` and ``config`` for ``to_nwb_file`` when ``skeleton_kwargs`` gives ``nodes``.

    movement's ``to_nwb_file`` writes the given ``nodes`` as the Skeleton's and
    names the series after the dataset's keypoints whatever the nodes say.
    Nodes that are the keypoints in another order are kept as movement keeps
    them: the keypoints are put in that order (the Skeleton's nodes and given
    ``edges`` index the same list; series, per-keypoint metadata and the
    dataset's own edges go by name), and the nodes leave the config, since the
    NWB writer makes the Skeleton's nodes from the keypoints. Nodes that are
    not the keypoints are refused: movement would write a Skeleton naming body
    parts that no series holds, beside series that no node names (ndx-pose
    pairs the two by name, and readers order and name the keypoints by the
    nodes), a file that contradicts itself without a word.

    Parameters
    ----------
    ds
        The poses dataset (keypoint names as text).
    config
        The metadata as given (``as_config``): not modified.

    Returns
    -------
    tuple of xarray.Dataset and NWBFileSaveConfig
        ``ds`` (its keypoints in the nodes' order) and a config without ``nodes``.

    Raises
    ------
    PoseBridgeError
        Nodes that are not the keypoints (naming those missing and those
        without series), individuals given different orders, or nodes that
        are not a list of names (a ``posebridge.errors.TypeError``).

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge.io import load_poses
    >>> ds = load_poses.from_numpy(np.zeros((2, 2, 2, 1)), keypoint_names=["nose", "tail"])
    >>> config = NWBFileSaveConfig(skeleton_kwargs={"nodes": ["tail", "nose"]})
    >>> ds, config = _skeleton_nodes_as_movement(ds, config)
    >>> ds.keypoint.values.tolist(), config.skeleton_kwargs
    (['tail', 'nose'], {})
    """
    section = config.skeleton_kwargs
    nested = NWBFileSaveConfig.is_per_entity(section)
    groups = section.items() if nested else [(None, section)]
    if not any("nodes" in kwargs for _, kwargs in groups):
        return ds, config
    keypoints = [str(k) for k in ds[model.KEYPOINT].values]
    individuals = {str(i) for i in ds[model.INDIVIDUAL].values}
    orders: dict[tuple[str, ...], list[str]] = {}
    for entity, kwargs in groups:
        where = f"skeleton_kwargs[{entity!r}]" if nested else "skeleton_kwargs"
        if "nodes" not in kwargs or (nested and entity not in individuals):
            continue  # another individual's entry: check_entities says so
        nodes = _node_names(kwargs["nodes"], where)
        if len(nodes) != len(keypoints) or set(nodes) != set(keypoints):
            missing = [k for k in keypoints if k not in nodes]
            extra = [n for n in nodes if n not in keypoints]
            raise PoseBridgeError(
                f"config: {where}['nodes'] {errors.brief(nodes)} are not the dataset's "
                f"keypoints ({', '.join(map(repr, keypoints))})"
                + (f"; left out: {', '.join(map(repr, missing))}" if missing else "")
                + (f"; not keypoints: {', '.join(map(repr, extra))}" if extra else "")
                + ("; a node repeats" if len(set(nodes)) < len(nodes) else "")
                + ". movement's to_nwb_file would write a Skeleton of these nodes beside "
                "series named after the keypoints: a file whose Skeleton names body parts "
                "that no series holds (readers pair nodes and series by name, and given "
                "edges would join the wrong ones). Rename the keypoints instead "
                "(ds.assign_coords(keypoint=[...])), select some (ds.sel(keypoint=[...])), "
                "give them in another order, or leave 'nodes' out."
            )
        orders.setdefault(tuple(nodes), []).append(where)
    if len(orders) > 1:
        given = "; ".join(
            f"{', '.join(wheres)}: {list(order)}" for order, wheres in orders.items()
        )
        raise PoseBridgeError(
            "config: the skeleton nodes order the keypoints differently for different "
            f"individuals ({given}); one dataset holds one order of keypoints. Give one "
            "order, or save the individuals one by one "
            "(to_nwb_file(ds.sel(individual=[name]), config))."
        )
    without = (
        {entity: {k: v for k, v in kw.items() if k != "nodes"} for entity, kw in groups}
        if nested
        else {k: v for k, v in section.items() if k != "nodes"}
    )
    config = attrs.evolve(config, skeleton_kwargs=without)
    if orders:
        order = list(next(iter(orders)))
        if order != keypoints:
            ds = ds.sel({model.KEYPOINT: order})
            given_for = [str(e) for e, kw in groups if "nodes" in kw and e in individuals]
            others = sorted(individuals - set(given_for)) if nested else []
            if others:
                warnings.warn(
                    f"config: skeleton_kwargs gives nodes for {', '.join(given_for)} only; "
                    f"their order ({', '.join(order)}) becomes the keypoints' order in every "
                    f"file, that of {', '.join(others)} too (movement keeps the dataset's "
                    "order there). Give those individuals nodes too to choose theirs.",
                    UserWarning,
                    stacklevel=user_stacklevel(),
                )
    return ds, config


def _node_names(value: Any, where: str) -> list[str]:
    """The node names given in ``skeleton_kwargs`` (a list, tuple or 1-D array of texts).

    Examples
    --------
    >>> _node_names(np.array(["nose", "tail"]), "skeleton_kwargs")
    ['nose', 'tail']
    >>> _node_names("nose", "skeleton_kwargs")
    Traceback (most recent call last):
    ...
    posebridge.errors.TypeError: config: skeleton_kwargs['nodes'] must be a list of ...
    """
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if not isinstance(value, list | tuple) or not all(isinstance(n, str) for n in value):
        raise errors.TypeError(
            f"config: {where}['nodes'] must be a list of keypoint names, got "
            f"{type(value).__name__} {errors.brief(value)}."
        )
    return [str(n) for n in value]


def to_dlc_style_df(ds: xr.Dataset, split_individuals: Any = False) -> Any:
    """A DeepLabCut-style DataFrame (or a dict of them, one per individual).

    Parameters
    ----------
    ds
        A poses dataset.
    split_individuals
        One DataFrame per individual (a dict keyed by name) instead of one.
        Taken by its truth value, as movement's ``if split_individuals:``:
        ``1`` and ``"auto"`` split (``"auto"`` always splits here, unlike
        ``to_dlc_file``'s), ``0`` and ``None`` do not. A value with no truth
        value (an array of several) raises ``posebridge.errors.TypeError``.

    Returns
    -------
    pandas.DataFrame or dict of str to pandas.DataFrame
        The table(s): columns (scorer, individuals, bodyparts, coords) for one
        table, as movement (even for one individual); (scorer, bodyparts,
        coords) per individual when split.

    Examples
    --------
    >>> from posebridge.io import save_poses
    >>> df = save_poses.to_dlc_style_df(ds)  # doctest: +SKIP
    """
    from posebridge.formats import dlc as deeplabcut

    expect_dataset(ds)
    split_individuals = _truth_value(split_individuals, "split_individuals")
    ds = _with_movement_scorer(model.validate(_movement_columns(_dropin.names_as_text(ds))))
    ds = api.scalar_view_as_dim(ds)  # ds.sel(view="top") is that camera's, as save writes it
    view = api.lone_view(ds, registry.get("dlc"))  # one camera's: its table, as save writes
    if view is not None:
        ds = ds.isel({model.VIEW: 0}, drop=True)
    with held_until_done():  # what is not kept, as posebridge.save says it for DeepLabCut
        _warn_not_written(ds, "dlc", "the DataFrame")
        result: pd.DataFrame | dict[str, pd.DataFrame] = deeplabcut.dataframe_from_dataset(
            ds, split_individuals=split_individuals, individuals_level=True, number_rows=True
        )
    if view is not None:
        api.warn_view_not_stored(view, registry.get("dlc"), "the DataFrame")
    return result


def _truth_value(value: Any, what: str) -> bool:
    """``bool(value)``, as movement tests it (``if value:``), or an error naming ``what``."""
    try:
        return bool(value)
    except (TypeError, ValueError) as error:  # an array of several values, pd.NA...
        raise errors.TypeError(
            f"{what} must be True or False, got {type(value).__name__} {errors.brief(value)} "
            f"({error})."
        ) from None


def to_dlc_file(
    ds: xr.Dataset,
    file_path: PathLike,
    split_individuals: bool | Literal["auto"] = "auto",
    *,
    overwrite: bool = False,
) -> None:
    """Write a DeepLabCut .h5 or .csv file (one per individual when split).

    Parameters
    ----------
    ds
        A poses dataset.
    file_path
        The output file, .h5 or .csv.
    split_individuals
        ``True``: one file per individual (``<stem>_<individual><suffix>``,
        3 column levels); ``False``: one file with the ``individuals`` column
        level (4 levels, even for one individual); ``"auto"``: split when
        there is one individual (movement's rule).
    overwrite
        Replace existing files (otherwise ``FileExistsError``).

    Returns
    -------
    None
        As movement's (``posebridge.save`` returns the files written).

    Examples
    --------
    >>> from posebridge.io import save_poses
    >>> save_poses.to_dlc_file(ds, "poses.h5")  # doctest: +SKIP
    """
    expect_dataset(ds)
    if split_individuals != "auto" and not isinstance(split_individuals, bool):
        expect_path(file_path, "file_path")
        raise PoseBridgeError(
            "Expected 'split_individuals' to be a boolean or 'auto', "
            f"but got {type(split_individuals)}."
        )
    _dropin.save(
        _with_movement_scorer(_movement_columns(ds)),
        file_path,
        "dlc",
        overwrite=overwrite,
        split_individuals=split_individuals,
        individuals_level=True,
        number_rows=True,  # time in seconds without fps: rows 0..n-1, as movement's
    )


def to_lp_file(ds: xr.Dataset, file_path: PathLike, *, overwrite: bool = False) -> None:
    """Write LightningPose .csv files, one per individual (as movement).

    Parameters
    ----------
    ds
        A poses dataset.
    file_path
        The output .csv file; each individual goes to
        ``<stem>_<individual>.csv`` beside it (even when there is one:
        movement's naming), under the scorer ``movement`` (as movement) unless
        the dataset names its own (``attrs["scorer"]``).
        ``posebridge.save(ds, path, "lp")`` writes one individual at ``path``
        itself, under the scorer ``posebridge_tracker``.
    overwrite
        Replace an existing file (otherwise ``FileExistsError``).

    Returns
    -------
    None
        As movement's (``posebridge.save`` returns the files written).

    Examples
    --------
    >>> from posebridge.io import save_poses
    >>> save_poses.to_lp_file(ds, "video.csv")  # doctest: +SKIP
    """
    _dropin.save(
        _with_movement_scorer(_movement_columns(ds)),
        file_path,
        "lp",
        overwrite=overwrite,
        split_individuals=True,
        number_rows=True,  # time in seconds without fps: rows 0..n-1, as movement's
    )


def to_sleap_analysis_file(
    ds: xr.Dataset, file_path: PathLike, *, overwrite: bool = False
) -> None:
    """Write a SLEAP analysis .h5 file (SLEAP's "matlab" layout).

    As movement's, the individuals with no position in any frame are left out
    (``posebridge.save`` keeps them unless given ``drop_empty_tracks=True``).

    Parameters
    ----------
    ds
        A poses dataset.
    file_path
        The output file.
    overwrite
        Replace an existing file (otherwise ``FileExistsError``).

    Returns
    -------
    None
        As movement's (``posebridge.save`` returns the files written).

    Examples
    --------
    >>> from posebridge.io import save_poses
    >>> save_poses.to_sleap_analysis_file(ds, "video.analysis.h5")  # doctest: +SKIP
    """
    _dropin.save(ds, file_path, "sleap-analysis", overwrite=overwrite, drop_empty_tracks=True)


def to_slp_file(ds: xr.Dataset, file_path: PathLike, *, overwrite: bool = False) -> list[Path]:
    """Write a SLEAP .slp file.

    Parameters
    ----------
    ds
        A poses dataset.
    file_path
        The output file.
    overwrite
        Replace an existing file (otherwise ``FileExistsError``).

    Returns
    -------
    list of pathlib.Path
        Every file written.

    Examples
    --------
    >>> from posebridge.io import save_poses
    >>> save_poses.to_slp_file(ds, "video.slp")  # doctest: +SKIP
    """
    return _dropin.save(ds, file_path, "slp", overwrite=overwrite)


def to_anipose_file(
    ds: xr.Dataset,
    file_path: PathLike,
    *,
    individual: str | None = None,
    overwrite: bool = False,
) -> list[Path]:
    """Write an Anipose triangulation .csv file (3D, one individual).

    Parameters
    ----------
    ds
        A 3D poses dataset.
    file_path
        The output file.
    overwrite
        Replace an existing file (otherwise ``FileExistsError``).
    individual
        Which individual to write when the dataset has several.

    Returns
    -------
    list of pathlib.Path
        The file written.

    Examples
    --------
    >>> from posebridge.io import save_poses
    >>> save_poses.to_anipose_file(ds, "pose-3d/session.csv")  # doctest: +SKIP
    """
    return _dropin.save(ds, file_path, "anipose", overwrite=overwrite, individual=individual)


def to_nwb_file(ds: xr.Dataset, config: Any = None) -> Any:
    """Build in-memory ``pynwb.NWBFile`` objects (one per individual); nothing is written.

    Parameters
    ----------
    ds
        A poses dataset (one with the ``individual`` dim dropped by
        ``ds.sel(individual="id_0")`` is taken as one individual).
    config
        An ``NWBFileSaveConfig`` (:mod:`posebridge.io.nwb`'s or movement's),
        or a dict of the same sections. As in movement, a shared
        ``identifier``, ``subject_id`` or PoseEstimation / Skeleton ``name``
        applies as given to a dataset of one individual; with several, each
        file gets its per-individual value or the individual's name. Skeleton
        ``nodes`` (``skeleton_kwargs``) that are the keypoints in another order
        are the Skeleton's nodes, as movement writes them, and the series'
        order; any other nodes are refused (movement would write a Skeleton
        naming body parts that no series holds).

    Returns
    -------
    pynwb.NWBFile or list of pynwb.NWBFile
        The file for a dataset of one individual; a list (dataset order) for
        several. Each file's ``identifier`` is the individual's name unless
        the config gives one.

    Raises
    ------
    TypeError
        ``ds`` is not a Dataset (a ``NotADatasetError``, also an
        ``AttributeError`` as movement raises); or the config gives a key the
        writer sets itself (``subject`` in ``nwbfile_kwargs`` / ``skeleton_kwargs``,
        a series' ``data``, ``confidence``, ``timestamps``, ``rate``,
        ``starting_time``, a PoseEstimation's ``pose_estimation_series`` or
        ``skeleton``), as movement refuses them.
    PoseBridgeError
        Skeleton ``nodes`` that are not the dataset's keypoints, or that order
        them differently for different individuals.
    DatasetKindError
        ``ds`` holds bounding boxes (a ``SchemaError``, and an
        ``AttributeError`` as movement raises).

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge.io import load_poses, save_poses
    >>> ds = load_poses.from_numpy(np.zeros((5, 2, 3, 2)), fps=30)
    >>> [f.identifier for f in save_poses.to_nwb_file(ds)]
    ['id_0', 'id_1']
    >>> save_poses.to_nwb_file(ds.sel(individual="id_0")).identifier
    'id_0'
    """
    from posebridge.formats import nwb

    expect_dataset(ds)
    ds = model.validate(_dropin.names_as_text(ds))
    if model.VIEW in ds.dims and ds.sizes[model.VIEW] == 1:  # ds.sel(view=["top"]): the same
        ds = ds.isel({model.VIEW: 0})
    if model.VIEW in ds.coords and ds[model.VIEW].ndim == 0:
        # ds.sel(view="top") is that camera's poses: its Device is named "top" (as save
        # names it), its PoseEstimation movement's 'PoseEstimation' (the default key of
        # movement's from_nwb_file), not posebridge's 'PoseEstimation_top'
        ds = ds.drop_vars(model.VIEW).assign_attrs(device=str(ds[model.VIEW].item()))
    if ds.attrs["ds_type"] != model.POSES:
        raise DatasetKindError(
            f"to_nwb_file writes poses (ndx-pose PoseEstimation); this dataset holds "
            f"{ds.attrs['ds_type']} (no keypoint dim). NWB has no bounding-box type in "
            "posebridge: save boxes with save_bboxes.to_via_tracks_file or as netCDF."
        )
    individuals = [str(i) for i in ds[model.INDIVIDUAL].values]
    ds, settings = _skeleton_nodes_as_movement(ds, nwb.as_config(config))
    settings = settings.with_identifiers(individuals)
    with held_until_done():  # what is not kept, as posebridge.save says it for NWB
        _warn_not_written(ds, "nwb", "the in-memory NWBFile")
        files = nwb.build_nwbfiles(ds, config=settings)
    return files if len(files) > 1 else files[0]
