"""A SLEAP project's suggestions and provenance, kept and written back.

SLEAP's ``suggestions_json`` lists frames suggested for labelling
(``{"video": "0", "frame_idx": 110, "group": 0}``, the video by its row in
``videos_json``); the metadata's ``provenance`` says what made the file (model paths,
SLEAP version, command ...). The readers keep them as JSON text attributes (netCDF
stores them): :data:`SUGGESTIONS` names each suggestion's video by its path (an image
sequence's first image), so that they follow the videos whatever their order in
the file written; :data:`PROVENANCE` holds the source's provenance, to which the
.slp writer adds its own key.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import xarray as xr

from posebridge.errors import FormatError, user_stacklevel

__all__ = [
    "CONTENT_KEY",
    "LABELS_PATH",
    "PROVENANCE",
    "SUGGESTIONS",
    "provenance_attr",
    "provenance_of",
    "read_suggestions",
    "suggestion_rows",
    "suggestions_attr",
    "suggestions_of",
]

#: Dataset attribute: JSON list of ``{"video": path, "frame_idx": n, "group": g}``.
SUGGESTIONS = "sleap_suggestions"
#: Dataset attribute: JSON object, the source .slp file's provenance.
PROVENANCE = "sleap_provenance"
#: Dataset attribute: the .slp project a SLEAP analysis .h5 file was exported from.
LABELS_PATH = "sleap_labels_path"
#: Provenance key the .slp writer sets: "poses" or "labels", what the file holds.
CONTENT_KEY = "posebridge_content"


def read_suggestions(rows: list[Any], n_videos: int, path: Path) -> list[tuple[int, int, int]]:
    """(video row, frame index, group) of each ``suggestions_json`` row.

    A row of a negative ``frame_idx`` or a ``group`` that is not a whole number
    (which sleap-io reads as it is) suggests no frame: it is skipped, with a
    ``UserWarning`` naming the file and the row. A row that names no video of the
    file, or no frame, is refused (sleap-io cannot read it either).

    Raises
    ------
    FormatError
        When a row is not an object with a ``video`` and a ``frame_idx`` (whole
        numbers), or names a video ``/videos_json`` does not list.

    Examples
    --------
    >>> read_suggestions([{"video": "1", "frame_idx": 110, "group": 0}], 2, Path("a.slp"))
    [(1, 110, 0)]
    """
    suggestions = []
    skipped = []
    for number, row in enumerate(rows):
        try:
            video, frame = int(row["video"]), int(row["frame_idx"])
        except (KeyError, TypeError, ValueError, AttributeError):
            raise FormatError(
                path, f"row {number} of /suggestions_json is not a suggested frame: {row!r}."
            ) from None
        if not 0 <= video < n_videos:
            raise FormatError(
                path,
                f"row {number} of /suggestions_json names frame {frame} of video {video}, but "
                f"/videos_json lists {n_videos} video(s).",
            )
        group = _whole_number(row.get("group", 0))
        if frame < 0 or group is None:
            skipped.append(f"row {number} {row!r}")
            continue
        suggestions.append((video, frame, group))
    if skipped:
        warnings.warn(
            f"{path}: {len(skipped)} row(s) of /suggestions_json suggest no frame (a "
            f"negative frame_idx, or a group that is not a whole number) and are skipped: "
            f"{'; '.join(skipped[:5])}{' ...' if len(skipped) > 5 else ''}.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return suggestions


def _whole_number(value: Any) -> int | None:
    """``value`` as an int when it is a whole number (or its text), else None."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number == value or str(number) == str(value) else None


def suggestions_attr(
    suggestions: list[tuple[int, int, int]], keys: list[str], videos: set[int] | None = None
) -> str | None:
    """The attribute's JSON text: each suggestion's video named by ``keys[row]``; only
    those of ``videos`` (rows) when given; ``None`` when there is none.

    Examples
    --------
    >>> suggestions_attr([(0, 5, 0), (1, 7, 1)], ["a.mp4", "b.mp4"], {1})
    '[{"video": "b.mp4", "frame_idx": 7, "group": 1}]'
    """
    kept = [
        {"video": keys[video], "frame_idx": frame, "group": group}
        for video, frame, group in suggestions
        if videos is None or video in videos
    ]
    return json.dumps(kept) if kept else None


def suggestions_of(ds: xr.Dataset) -> list[dict[str, Any]]:
    """The well-formed suggestions a dataset keeps: ``{"video": path, "frame_idx": n,
    "group": g}`` each (``[]`` when none).

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((1, 2, 1, 1)))
    >>> ds.attrs[SUGGESTIONS] = '[{"video": "a.mp4", "frame_idx": 7}, {"video": 3}]'
    >>> suggestions_of(ds)
    [{'video': 'a.mp4', 'frame_idx': 7}]
    """
    raw = ds.attrs.get(SUGGESTIONS)
    if not isinstance(raw, str):
        return []
    try:
        listed = json.loads(raw)
    except ValueError:
        listed = None
    if not isinstance(listed, list):
        return []
    return [
        row
        for row in listed
        if isinstance(row, dict)
        and isinstance(row.get("video"), str)
        and isinstance(row.get("frame_idx"), int)
        and isinstance(row.get("group", 0), int)
    ]


def suggestion_rows(ds: xr.Dataset, keys: list[str], where: Any) -> list[bytes]:
    """``suggestions_json`` rows of the dataset's suggestions for the videos written
    (``keys``: each written video's path, in ``videos_json`` order); those of other
    videos are left out with a warning naming ``where``.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((1, 2, 1, 1)))
    >>> ds.attrs[SUGGESTIONS] = '[{"video": "a.mp4", "frame_idx": 7, "group": 0}]'
    >>> suggestion_rows(ds, ["b.mp4", "a.mp4"], "out.slp")
    [b'{"video":"1","frame_idx":7,"group":0}']
    """
    index = {key: k for k, key in enumerate(keys)}
    rows, left_out = [], set()
    for row in suggestions_of(ds):
        if row["video"] not in index:
            left_out.add(row["video"])
            continue
        entry = {"video": str(index[row["video"]]), "frame_idx": row["frame_idx"]}
        entry["group"] = row.get("group", 0)
        rows.append(json.dumps(entry, separators=(",", ":")).encode())
    if left_out:
        warnings.warn(
            f"{where}: the SLEAP suggestions of video(s) {sorted(left_out)} are left out: "
            "the file written holds no such video.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return rows


def provenance_attr(provenance: Any) -> str | None:
    """The attribute's JSON text for a file's provenance, without posebridge's
    :data:`CONTENT_KEY` and ``filename`` (the path of the file the provenance was saved
    from, which sleap-io sets to the file's own path on every load); ``None`` when
    nothing is left.

    Examples
    --------
    >>> provenance_attr({"sleap_version": "1.2.7", "posebridge_content": "poses"})
    '{"sleap_version": "1.2.7"}'
    """
    if not isinstance(provenance, dict):
        return None
    own = (CONTENT_KEY, "filename")
    kept = {str(k): v for k, v in provenance.items() if k not in own}
    return json.dumps(kept) if kept else None


def version_attrs(provenance: Any) -> dict[str, str]:
    """``source_software_version`` from a provenance's ``sleap_version`` (``{}`` without it).

    Examples
    --------
    >>> version_attrs({"sleap_version": "1.2.7"})
    {'source_software_version': '1.2.7'}
    >>> version_attrs(None)
    {}
    """
    version = provenance.get("sleap_version") if isinstance(provenance, dict) else None
    return {} if version is None else {"source_software_version": str(version)}


def provenance_of(ds: xr.Dataset) -> dict[str, Any]:
    """The source provenance a dataset keeps (``{}`` when none).

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((1, 2, 1, 1)))
    >>> provenance_of(ds.assign_attrs({PROVENANCE: '{"sleap_version": "1.2.7"}'}))
    {'sleap_version': '1.2.7'}
    """
    raw = ds.attrs.get(PROVENANCE)
    if not isinstance(raw, str):
        return {}
    try:
        provenance = json.loads(raw)
    except ValueError:
        return {}
    return provenance if isinstance(provenance, dict) else {}
