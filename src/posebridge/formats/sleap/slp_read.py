"""SLEAP labels and predictions (.slp, .pkg.slp): read and write, vectorised.

Reading takes the four compound tables (``frames``, ``instances``, ``points``,
``pred_points``) whole and builds the arrays with numpy indexing:

- tracks become individuals, in ``tracks_json`` order; instances without a
  track become ``untracked_0``, ``untracked_1``... by their order within each
  frame (user instances first), with a warning;
- what is read depends on ``instances``: ``"user"`` gives the labelled frames
  (user instances of every video, a labels dataset, see
  :mod:`posebridge.formats._slp_labels`); ``"prefer_user"`` (a user instance
  replaces the prediction of the same frame and track, as SLEAP and sleap-io
  do, whatever prediction it was made from; an untracked prediction gives way
  to the user instance made from it) and ``"predicted"`` give the poses of one video along its
  frames; ``"auto"`` (default) is ``"user"`` for a file of labels (user
  instances, and no predicted instance but those they were made from), else
  ``"prefer_user"``;
- point scores become ``confidence`` (NaN for user points); instance and
  tracking scores become ``instance_score`` / ``tracking_score`` (time,
  individual), present when the file holds any; the skeleton's edges and
  symmetries become ``skeleton_edges`` / ``skeleton_symmetries``; keypoints
  follow the skeleton's node order;
- time is the video's labelled frame numbers (sorted, gaps kept, not filled);
- one video per dataset: ``video=`` picks it (index or path). A file with poses
  in several videos and no ``video=`` raises a FormatError listing them;
  :func:`read_all_videos` returns one dataset per video.

Writing makes a format 1.2 file (1.3/1.4 on request) that SLEAP 1.x and
sleap-io open: individuals become tracks (``untracked_<k>`` individuals become
instances without a track); an instance with any confidence or an instance
score is a predicted instance, otherwise a user instance. A labels dataset is
written as user instances in every one of its videos (and the predictions they
were made from, when it holds them).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._files import check_input, refuse_empty_file
from posebridge.errors import FormatError, PoseBridgeError, SeveralVideosError, describing
from posebridge.formats.sleap.common import pairs_within
from posebridge.formats.sleap.slp_labels import (
    build_labels,
    has_only_labels,
)
from posebridge.formats.sleap.slp_poses import MODES, build_dataset
from posebridge.formats.sleap.slp_tables import (
    PREDICTED,
    USER,
    SlpTables,
    open_tables,
)

__all__ = ["describe", "read", "read_all_videos"]


# --------------------------------------------------------------------------
# reading


def _pick_video(t: SlpTables, video: int | str | os.PathLike[str] | None) -> int:
    used = np.unique(t.frame_video)
    if video is None:
        if used.size <= 1:
            return int(used[0]) if used.size else 0
        counts = np.bincount(t.frame_video, minlength=len(t.videos))
        listing = "; ".join(
            f"[{v.index}] {v.path or '(embedded frames)'}: {counts[v.index]} labelled frames"
            for v in t.videos
        )
        raise SeveralVideosError(
            t.path,
            f"holds poses for {used.size} videos ({listing}).",
            "A dataset holds one video: pass video=<index or path> to read one, e.g. "
            "posebridge.load(path, video=0), or use "
            "posebridge.formats.sleap.read_all_videos(path) for one dataset per video.",
            option="video",
            example=int(used[0]),
        )
    if isinstance(video, int | np.integer) and not isinstance(video, bool):
        if not 0 <= int(video) < max(len(t.videos), 1):
            raise FormatError(
                t.path, f"has {len(t.videos)} video(s); video={video} is out of range."
            )
        return int(video)
    if isinstance(video, str | os.PathLike):
        wanted = os.fspath(video)
        paths = [v.path for v in t.videos]
        for candidates in (
            [p == wanted for p in paths],
            [p.replace("\\", "/") == wanted.replace("\\", "/") for p in paths],
            [Path(p.replace("\\", "/")).name == Path(wanted).name for p in paths],
        ):
            if sum(candidates) == 1:
                return candidates.index(True)
        raise FormatError(
            t.path, f"has no single video matching {wanted!r}; its videos are {paths}."
        )
    raise PoseBridgeError(f"video must be an index or a path, got {video!r}.")


def read(
    path: Path,
    *,
    video: int | str | os.PathLike[str] | None = None,
    instances: str = "auto",
    skeleton: int | str | None = None,
) -> xr.Dataset:
    """Read an .slp (or .pkg.slp) file: its labelled frames, or the poses of one video.

    Parameters
    ----------
    path
        The .slp file.
    video
        The video to read: its index in the file or its path (the stored path
        or just the file name). Needed for poses when several videos have
        some; labels span every video unless one is given.
    instances
        ``"auto"`` (default): ``"user"`` for a file of labels (user instances
        and no predicted instance other than those they were made from), else
        ``"prefer_user"``. ``"user"``: the labelled frames (a labels dataset,
        see :mod:`posebridge.labels`). ``"prefer_user"``: poses along the
        frames of one video, user instances winning over predictions of the
        same frame and track; ``"predicted"``: predictions only.
    skeleton
        Index or name of the skeleton, when instances use several.

    Returns
    -------
    xarray.Dataset
        float64 poses: labelled frames (time counts them), or time in frame
        numbers.

    Raises
    ------
    FormatError
        For a damaged file, format_id >= 3, several videos without ``video=``
        (poses).

    Examples
    --------
    >>> import posebridge
    >>> ds = posebridge.load("predictions.slp", instances="predicted")  # doctest: +SKIP
    >>> labels = posebridge.load("labels.v002.slp", instances="user")  # doctest: +SKIP
    """
    path = check_input(path)
    refuse_empty_file(path, "a SLEAP .slp file")
    if instances not in ("auto", *MODES):
        raise PoseBridgeError(f"instances must be one of {('auto', *MODES)}, got {instances!r}.")
    with open_tables(Path(path)) as t:
        if instances == "auto":
            instances = "user" if has_only_labels(t) else "prefer_user"
        if instances == "user":
            chosen = None if video is None else _pick_video(t, video)
            return build_labels(t, chosen, skeleton)
        return build_dataset(t, _pick_video(t, video), instances=instances, skeleton=skeleton)


def read_all_videos(
    path: str | os.PathLike[str],
    *,
    instances: str = "prefer_user",
    fps: float | None = None,
    skeleton: int | str | None = None,
) -> list[xr.Dataset]:
    """One poses dataset per video of an .slp file, in the file's video order.

    Parameters
    ----------
    path
        The .slp file.
    instances
        ``"prefer_user"``, ``"user"`` or ``"predicted"``: which instances, as
        poses along each video's frames (time in frame numbers); ``"auto"``:
        per video what ``load(path, video=k)`` gives (the labelled frames of
        each video for a file of labels, else ``"prefer_user"``).
    fps
        Frames per second, to express time in seconds.
    skeleton
        The skeleton (index or name) of a file that holds several, as ``load``'s.

    Returns
    -------
    list of xarray.Dataset
        Validated datasets; each carries its ``video_path`` attribute. A video
        without labelled frames gives a dataset with no time steps.

    Examples
    --------
    >>> from posebridge.formats.sleap import slp_read
    >>> for ds in slp_read.read_all_videos("multiview.slp"):  # doctest: +SKIP
    ...     print(ds.attrs["video_path"], ds.sizes["time"])
    """
    file = check_input(path)
    if not isinstance(instances, str) or instances not in ("auto", *MODES):
        raise PoseBridgeError(
            f"{file}: instances must be one of {('auto', *MODES)}, got {instances!r}."
        )
    datasets = []
    with open_tables(file) as t:
        labelled = instances == "auto" and has_only_labels(t)
        mode = "prefer_user" if instances == "auto" else instances
        for index in range(max(len(t.videos), 1)):
            built = (
                build_labels(t, index, skeleton)
                if labelled
                else build_dataset(t, index, instances=mode, skeleton=skeleton)
            )
            ds = model.validate(built)
            ds.attrs["source_file"] = str(file)
            datasets.append(model.with_fps(ds, fps) if fps is not None else ds)
    return datasets


@describing("SLEAP")
def describe(path: Path) -> list[tuple[str, str]]:
    """What ``posebridge info`` shows: videos, tracks, skeleton, instance counts.

    Examples
    --------
    >>> from posebridge.formats.sleap import slp_read
    >>> dict(slp_read.describe("labels.slp"))["instances"]  # doctest: +SKIP
    '3 user, 450 predicted (453 without a track)'
    """
    with open_tables(Path(path)) as t:
        return _description(t)


def _description(t: SlpTables) -> list[tuple[str, str]]:
    per_video = np.bincount(t.frame_video, minlength=len(t.videos))
    videos = []
    for v in t.videos:
        size = f", {v.width}x{v.height}" if v.width and v.height else ""
        where = v.path or "(embedded frames)"
        videos.append(f"[{v.index}] {where} ({v.kind}{size}): {per_video[v.index]} frames")
    columns = t.instance_columns(("instance_type", "track"))
    kind = columns["instance_type"]
    untracked = int(np.count_nonzero(columns["track"] < 0))
    rows = [
        (
            "format",
            f"SLEAP labels (.slp), format_id {t.format_id:g}"
            if t.format_id_stored
            else "SLEAP labels (.slp), SLEAP's first layout (no format_id; read as format "
            f"{t.format_id:.1f}: user points shifted by half a pixel)",
        ),
        ("videos", "; ".join(videos) or "none"),
        ("tracks", f"{len(t.tracks)}: {', '.join(t.tracks)}" if t.tracks else "none"),
        (
            "instances",
            f"{np.count_nonzero(kind == USER)} user, {np.count_nonzero(kind == PREDICTED)} "
            f"predicted ({untracked} without a track)",
        ),
    ]
    for skel in t.skeletons:
        edges = pairs_within(skel.edges, skel.nodes)  # as read: see slp_tables.skeleton_read
        symmetries = pairs_within(skel.symmetries, skel.nodes)
        counted = f"{len(edges)} edge{'' if len(edges) == 1 else 's'}"
        rows.append(("skeleton", f"{skel.name}: {len(skel.nodes)} nodes, {counted}"))
        rows.append(("nodes", ", ".join(skel.nodes)))
        rows.append(("edges", _pairs_text(edges, len(skel.edges))))
        rows.append(("symmetries", _pairs_text(symmetries, len(skel.symmetries))))
    return rows


def _pairs_text(kept: list[tuple[str, str]], stored: int) -> str:
    """Edges or symmetries as ``posebridge info`` lists them: those read, and how many
    of the file's are skipped (they name a node outside the skeleton).

    Examples
    --------
    >>> _pairs_text([("a", "b")], 2)
    'a-b (1 more skipped: names a node outside the skeleton)'
    """
    text = ", ".join(f"{a}-{b}" for a, b in kept) or "none"
    skipped = stored - len(kept)
    if skipped:
        text += f" ({skipped} more skipped: names a node outside the skeleton)"
    return text
