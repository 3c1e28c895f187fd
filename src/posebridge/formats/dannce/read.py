"""Read DANNCE prediction files (``save_data_*.mat``, ``com3d.mat``)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._files import Peek, check_input
from posebridge.errors import FormatError, describing
from posebridge.formats.dannce.matfile import (
    BEYOND_HEAD,
    V73_TEXT,
    file_variables,
    head_variables,
    is_v73,
    load,
    readable_mat,
    scipy_io_module,
)
from posebridge.formats.dannce.sync import SAMPLE_ID, frames_of, warn_sample_ids

__all__ = ["describe", "read", "sniff"]

_PREDICTION = ("pred", "p_max", "sampleID")
_COM = ("com", "sampleID")
#: The single keypoint of a centre-of-mass file.
COM_KEYPOINT = "com"


def _is_prediction_shape(shape: tuple[int, ...]) -> bool:
    return (len(shape) == 3 and shape[1] == 3) or (len(shape) == 4 and shape[2] == 3)


def _is_com_shape(shape: tuple[int, ...]) -> bool:
    """``com`` (N, 3), or (N, 3, n_instances) as multi-animal DANNCE saves it."""
    return len(shape) in (2, 3) and shape[1] == 3


def _v73_names(path: Path) -> set[str]:
    """The top-level names of a MATLAB v7.3 file (HDF5 after a 512-byte header), or none."""
    import h5py

    try:
        with h5py.File(path, "r") as h5:
            return set(h5.keys())
    except (OSError, ValueError, RuntimeError, UnicodeDecodeError):
        return set()


def sniff(peek: Peek) -> bool:
    """Whether the file is a DANNCE ``save_data`` or ``com3d`` MAT-file.

    v5: the variables declared in the head include ``pred`` shaped (N, 3, K)
    (``sampleID`` often lies beyond the head, after the large arrays), or
    ``com`` (N, 3) or (N, 3, n_instances) with ``sampleID``, or (a long
    ``com3d*.mat``, whose ``com`` lies beyond the head) ``sampleID`` (1, N)
    first; when the head does not decide, every variable's tag in the file
    (MATLAB saves in alphabetical order: a large ``data`` before ``pred``).
    v7.3: the HDF5 names ``pred`` and ``sampleID``, or ``com`` and ``sampleID``,
    appear in the head, else among the file's top-level names (HDF5 lists them
    after the data when there are many).

    Examples
    --------
    >>> from posebridge._files import Peek
    >>> with Peek("save_data_AVG.mat") as peek:  # doctest: +SKIP
    ...     sniff(peek)
    True
    """
    head = peek.head
    if is_v73(head):
        names = {name for name in (b"pred", b"sampleID", b"com") if name + b"\x00" in head}
        if b"sampleID" in names and (b"pred" in names or b"com" in names):
            return True
        # more (or longer) variable names put HDF5's list of them after the data: list it
        keys = _v73_names(peek.path)
        return "sampleID" in keys and ("pred" in keys or "com" in keys)
    variables = head_variables(head)
    decided = "pred" in variables or {"com", "sampleID"} <= variables.keys()
    if BEYOND_HEAD in variables and not decided:  # MATLAB's order: data, p_max, pred...
        variables = file_variables(peek.path) | {BEYOND_HEAD: ()}
    if "pred" in variables:
        return _is_prediction_shape(variables["pred"])
    com = variables.get("com")
    if com is not None:
        return "sampleID" in variables and _is_com_shape(com)
    # a long com3d.mat: sampleID (1, N) first, com beyond the head; the name decides
    ids = variables.get("sampleID")
    return (
        ids is not None
        and len(ids) == 2
        and ids[0] == 1
        and BEYOND_HEAD in variables
        and peek.path.name.lower().startswith("com3d")
    )


def _skeleton(
    skeleton: str | os.PathLike[str] | Sequence[str] | None, n_markers: int, path: Path
) -> tuple[list[str], list[tuple[str, str]]]:
    """Marker names (and skeleton edges) from the ``skeleton`` option."""
    if skeleton is None:
        return [f"marker_{i}" for i in range(n_markers)], []
    if not isinstance(skeleton, str | os.PathLike):
        names = [str(n) for n in skeleton]
        if len(names) != n_markers:
            raise FormatError(
                path, f"skeleton= gives {len(names)} marker names; pred holds {n_markers} markers."
            )
        _refuse_repeated(names, path, "skeleton=")
        return names, []
    source = check_input(skeleton)  # FileNotFoundError / IsADirectoryError, as load's
    values = load(source, ("joint_names", "joints_idx"))
    if "joint_names" not in values:
        raise FormatError(source, "has no joint_names variable; expected a DANNCE skeleton .mat.")
    names = [_text(cell) for cell in np.asarray(values["joint_names"], dtype=object).reshape(-1)]
    if len(names) != n_markers:
        raise FormatError(
            source,
            f"joint_names lists {len(names)} markers; {path.name} holds {n_markers} in pred.",
        )
    _refuse_repeated(names, source, "joint_names")
    edges: list[tuple[str, str]] = []
    if "joints_idx" in values:
        index = _numbers(values, "joints_idx", source)
        if not model.whole_numbers(index).all():  # NaN too
            raise FormatError(source, "joints_idx should hold whole marker numbers.")
        index = index.astype(np.int64)
        if index.ndim != 2 or index.shape[1] != 2:
            raise FormatError(
                source,
                f"joints_idx should be (n, 2): one pair of marker numbers per edge; "
                f"found shape {index.shape}.",
            )
        outside = index[(index < 1) | (index > n_markers)]
        if outside.size:
            raise FormatError(
                source,
                f"joints_idx holds {outside[0]}; marker numbers are 1..{n_markers} "
                f"(1-based, for the {n_markers} joint_names).",
            )
        edges = [(names[a - 1], names[b - 1]) for a, b in index.tolist()]
    return names, edges


def _refuse_repeated(names: list[str], path: Path, given_by: str) -> None:
    """Refuse marker names that name one marker twice, naming the file or option
    that gives them (the keypoint names must be unique)."""
    unique, first, counts = np.unique(
        np.array(names, dtype=object), return_index=True, return_counts=True
    )
    if (counts > 1).any():
        repeated = unique[counts > 1][np.argmin(first[counts > 1])]
        at = np.flatnonzero(np.array(names, dtype=object) == repeated) + 1
        raise FormatError(
            path,
            f"{given_by} names {repeated!r} {at.size} times (first as markers {at[0]} and "
            f"{at[1]}); each marker needs a name of its own.",
        )


def _numbers(values: dict[str, Any], name: str, path: Path) -> np.ndarray:
    """Variable ``name`` as float64; FormatError naming it when it holds no numbers."""
    array = np.asarray(values[name])
    if array.dtype.kind not in "iuf":
        raise FormatError(path, f"{name} should hold numbers; found {array.dtype} values.")
    return array.astype(np.float64, copy=False)


def _text(cell: Any) -> str:
    while isinstance(cell, np.ndarray):
        if cell.size != 1:
            return "".join(map(str, cell.reshape(-1)))
        cell = cell.reshape(-1)[0]
    return str(cell)


def _sample_ids(values: dict[str, Any], n_time: int, path: Path) -> np.ndarray:
    if "sampleID" not in values:
        raise FormatError(path, "has no sampleID variable (the sync sample of each prediction).")
    ids = np.asarray(values["sampleID"]).reshape(-1)
    if ids.size != n_time:
        raise FormatError(
            path, f"sampleID holds {ids.size} values for {n_time} predictions; they must match."
        )
    if ids.dtype.kind not in "iuf" or not model.whole_numbers(ids).all():
        raise FormatError(path, "sampleID should hold whole sample ids (below 2**53).")
    ids = ids.astype(np.int64)
    if np.unique(ids).size != ids.size:
        dup = ids[np.flatnonzero(np.diff(np.sort(ids)) == 0)[0]]
        raise FormatError(path, f"sampleID gives sample {dup} twice.")
    return ids


def read(
    path: Path,
    *,
    skeleton: str | os.PathLike[str] | Sequence[str] | None = None,
    sync: str | os.PathLike[str] | None = None,
) -> xr.Dataset:
    """Read a DANNCE ``save_data_*.mat`` or ``com3d.mat`` file.

    A ``com3d.mat`` reads as the single keypoint ``com``; its ``com`` (N, 3, n)
    (multi-animal DANNCE, ``n_instances`` > 1) gives n individuals, named as
    sDANNCE's ``pred`` (N, n, 3, K) names them.

    Parameters
    ----------
    path
        The file (MATLAB v5 or v7.3).
    skeleton
        A DANNCE skeleton ``.mat`` (``joint_names``, ``joints_idx``; e.g.
        ``mouse22_skeleton.mat``), or a list of marker names in order. Without
        it markers are ``marker_0``, ``marker_1``, ...
    sync
        The sync table the prediction was made with: a DANNCE
        ``<camera>_sync.mat`` (``data_sampleID``, ``data_frame``) or a Label3D
        file holding ``sync``. Each ``sampleID`` becomes its frame (the first
        camera's). Without it, time holds the ``sampleID`` values themselves,
        with a warning (unless they are 0..N-1): DANNCE's ``makeSyncFiles.py``
        makes them frame * 1000 / fps + 1, not frame numbers.

    Returns
    -------
    xarray.Dataset
        3-D poses, time = the frames of ``sampleID`` with ``sync``, else the
        ``sampleID`` values (sorted); the ``sampleID`` values are kept in the
        ``sample_id`` coordinate; ``skeleton_edges`` when the skeleton file
        gives them.

    Raises
    ------
    FormatError
        Naming the variable that is missing or of the wrong shape, or a
        ``sampleID`` the sync file lacks.

    Examples
    --------
    >>> import posebridge
    >>> ds = posebridge.load(
    ...     "save_data_AVG.mat", skeleton="mouse22_skeleton.mat", sync="sync/Camera1_sync.mat"
    ... )  # doctest: +SKIP
    """
    path = check_input(path)
    values = load(path, (*_PREDICTION, "com"))
    if "pred" in values:
        pred = _numbers(values, "pred", path)
        given = pred.shape
        if pred.ndim == 3 and pred.shape[1] == 3:
            pred = pred[:, None]  # (N, 1, 3, K)
        elif not (pred.ndim == 4 and pred.shape[2] == 3):
            raise FormatError(
                path, f"pred should be (N, 3, K) or (N, n_instances, 3, K); found {pred.shape}."
            )
        n_time, n_ind, _, n_markers = pred.shape
        if n_markers == 0 or n_ind == 0:
            raise FormatError(path, f"pred {given} holds no markers (or no animal).")
        names, edges = _skeleton(skeleton, n_markers, path)
        position = pred.transpose(0, 2, 3, 1)  # (N, 3, K, n)
        confidence = np.full((n_time, n_markers, n_ind), np.nan)
        if "p_max" in values:
            p_max = _numbers(values, "p_max", path)
            if p_max.shape == (n_time, n_markers) and n_ind == 1:
                confidence = p_max[:, :, None]
            elif p_max.shape == (n_time, n_ind, n_markers):
                confidence = p_max.transpose(0, 2, 1)
            else:
                accepted = [(n_time, n_markers)] if n_ind == 1 else []
                if len(given) == 4:  # (N, n, 3, K): one confidence per frame, instance, marker
                    accepted.append((n_time, n_ind, n_markers))
                raise FormatError(
                    path,
                    f"p_max is {p_max.shape}; with pred {given} it should be "
                    f"{' or '.join(map(str, accepted))}.",
                )
    elif "com" in values:
        if skeleton is not None:
            raise FormatError(
                path,
                "is a com3d.mat (one centre of mass per frame, read as the keypoint 'com'): "
                "skeleton= names the markers of a save_data_*.mat; leave it out.",
            )
        com = _numbers(values, "com", path)
        if not _is_com_shape(com.shape):
            raise FormatError(
                path, f"com should be (N, 3) or (N, 3, n_instances); found {com.shape}."
            )
        if com.ndim == 2:
            com = com[:, :, None]  # (N, 3, 1)
        n_time, _, n_ind = com.shape
        if n_ind == 0:
            raise FormatError(path, f"com {com.shape} holds no animal.")
        names, edges = [COM_KEYPOINT], []
        position = com[:, :, None, :]  # (N, 3, 1, n)
        confidence = np.full((n_time, 1, n_ind), np.nan)
    else:
        raise FormatError(
            path, "has neither pred (save_data_*.mat) nor com (com3d.mat); not a DANNCE file."
        )
    ids = _sample_ids(values, n_time, path)
    if sync is None:
        warn_sample_ids(ids, path)
        frames = ids
    else:
        frames = frames_of(ids, sync, path)
        if np.unique(frames).size != frames.size:
            dup = np.sort(frames)[np.flatnonzero(np.diff(np.sort(frames)) == 0)[0]]
            twice = ids[frames == dup]
            raise FormatError(
                path,
                f"sampleIDs {twice[0]} and {twice[1]} are both frame {dup} in the sync file "
                f"{sync}; time needs a frame per prediction.",
            )
    order = np.argsort(frames, kind="stable")
    if np.any(order != np.arange(n_time)):
        frames, ids = frames[order], ids[order]
        position, confidence = position[order], confidence[order]
    individuals = ["individual_0"] if n_ind == 1 else [f"individual_{i}" for i in range(n_ind)]
    data_vars: dict[str, Any] = {
        "position": (model.POSES_DIMS, position),
        "confidence": ((model.TIME, model.KEYPOINT, model.INDIVIDUAL), confidence),
    }
    if edges:
        data_vars["skeleton_edges"] = (("edge", "edge_node"), np.array(edges, dtype=str))
    return xr.Dataset(
        data_vars,
        coords={
            model.TIME: frames,
            SAMPLE_ID: (model.TIME, ids),
            model.SPACE: ["x", "y", "z"],
            model.KEYPOINT: names,
            model.INDIVIDUAL: individuals,
        },
        attrs={
            "ds_type": model.POSES,
            "time_unit": "frames",
            "source_software": "DANNCE",
            "space_unit": "millimeters",
        },
    )


@describing("DANNCE")
def describe(path: Path) -> list[tuple[str, str]]:
    """What ``posebridge info`` shows about a DANNCE file: version and variables.

    Examples
    --------
    >>> from posebridge.formats import dannce
    >>> dict(dannce.describe("save_data_AVG.mat"))["MATLAB"]  # doctest: +SKIP
    'v5 (scipy)'
    """
    path = Path(path)
    with open(path, "rb") as handle:
        head = handle.read(128)
    if is_v73(head):
        import h5py

        with h5py.File(path, "r") as h5:
            shapes = {
                name: tuple(reversed(item.shape))
                for name, item in h5.items()
                if isinstance(item, h5py.Dataset) and not name.startswith("#")
            }
        version = f"v7.3 ({V73_TEXT.decode()}, HDF5)"
    else:
        scipy_io = scipy_io_module(path)
        with readable_mat(path, scipy_io):
            shapes = {name: shape for name, shape, _ in scipy_io.whosmat(path)}
        version = "v5 (scipy)"
    return [
        ("MATLAB", version),
        ("variables", ", ".join(f"{k} {v}" for k, v in shapes.items())),
        ("markers", "names from skeleton= (a skeleton .mat), else marker_<i>"),
        (
            "time",
            "sampleID = sync sample ids (makeSyncFiles: frame * 1000/fps + 1), kept as "
            "sample_id; sync=<*_sync.mat or Label3D file> maps them to frames",
        ),
    ]
