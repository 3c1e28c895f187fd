"""Names, markers and small helpers shared by the NWB reader and writer.

How posebridge marks time in the NWB files it writes
----------------------------------------------------
NWB stores time in seconds. Two facts of a posebridge dataset have no NWB field,
so the writer records them in the ``comments`` of every PoseEstimationSeries,
as a short machine-readable marker that the reader looks for:

``posebridge: time_unit=frames``
    The dataset had no frame rate: its time values are video frame numbers.
    They are written as seconds one-to-one (``rate=1.0`` from the first frame,
    or ``timestamps`` when frames are missing), and read back as frames with
    ``time_unit="frames"`` and no invented ``fps``.
``posebridge: fps=<rate>``
    The dataset's video frame numbers are ``round(time * fps)``. The reader sets
    ``attrs["fps"]`` and restores the ``frame`` coordinate.
``posebridge: no fps``
    The dataset's times are seconds at a regular step, written as a ``rate``
    (which gives them back exactly), but it had no frame rate: the reader sets
    no ``attrs["fps"]`` from that rate.
``posebridge: frame=round((time-<t0>)*<rate>)+<first>``
    The dataset's video frame numbers (its ``frame`` coordinate) when they are
    not ``round(time * fps)``: times counted from the session rather than from
    frame 0, or camera timestamps without a frame rate (TRex, idtracker.ai).
    The reader restores ``frame`` with this formula, which the writer checked
    gives every frame back; ``rate`` is the fps when there is one (and then the
    ``fps`` marker is there too), else the frames' step over the times'.

How posebridge marks its series names
-------------------------------------
A keypoint's series is named after it, with what NWB cannot hold in a name
(``/``, ``:``) made ``_``. When two names then meet (``a/b`` and ``a_b``), the
series of a keypoint named otherwise than after it carries a keypoint tag at
the end of its description (``[posebridge keypoint: a/b]``, :func:`keypoint_tag`),
which the reader follows first. Which name takes the ``_2`` suffix changed once:

``posebridge: names=valid-kept``
    In the comments of every series of a PoseEstimation whose keypoints' names
    meet once cleaned: the name NWB can hold kept its series (``a_b`` is
    ``a_b``'s, ``a/b`` is ``a_b_2``), and every series so named otherwise than
    before carries its keypoint tag (:func:`unique_names`). Without it, an
    untagged series is named as posebridge named them before (the suffixes in
    order of the keypoints: ``a/b`` is ``a_b``, ``a_b`` is ``a_b_2``,
    :func:`unique_names_in_order`): files written then tagged only the series
    that the metadata named.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from posebridge import errors
from posebridge._recorded_warnings import dropping_warnings
from posebridge.errors import FormatError, PoseBridgeError, user_stacklevel
from posebridge.formats._shared.images import is_absolute_path
from posebridge.model import labels, nearest_frames

DEFAULT_MODULE = "behavior"
DEFAULT_CONTAINER = "PoseEstimation"
#: The name of the camera Device posebridge writes when it knows no camera's name; read
#: back, it is the dataset's ``device``, which names no camera of its own.
DEFAULT_DEVICE = "camera"
MODULE_DESCRIPTION = "Behavioral data: estimated poses (ndx-pose)."

#: The NWBFile's general metadata kept in ``attrs`` (and written back): text ones ...
GENERAL_TEXTS = ("session_id", "lab", "institution", "experiment_description")
#: ... and lists of text (a list in ``attrs``).
GENERAL_LISTS = ("experimenter", "keywords")
#: The PoseEstimationSeries texts kept in ``attrs`` (under these names) when every series
#: read states the same, and written back (ndx-pose ``reference_frame`` and
#: ``confidence_definition``, the ``definition`` attribute of ``confidence``).
SERIES_TEXTS = ("reference_frame", "confidence_definition")
#: The ``attrs`` key of a PoseEstimation's ``description`` kept (the one its writer gave,
#: when the containers read share it) and written back.
POSE_ESTIMATION_DESCRIPTION = "pose_estimation_description"
#: The NWBFile's moment its series' times count from (NWB: ``timestamps_reference_time``,
#: by default the session start). Kept in ``attrs`` when it is not the session start.
REFERENCE_TIME = "timestamps_reference_time"
#: Skeleton names writers make up (posebridge's sleap-io layout and PoseTraining,
#: SLEAP's unnamed skeleton): not kept as a dataset's ``skeleton_name``.
WRITERS_SKELETON_NAMES = ("skeleton", "Skeleton-0")

FRAMES_MARKER = "posebridge: time_unit=frames"
#: In an ImageSeries' comments: external_file paths written relative to the .nwb's folder
#: (from absolute paths, or relative ones found elsewhere), read back absolute. The text
#: says "absolute when written", as files written before relative paths were resolved do.
PATHS_MARKER = "posebridge: external_file relative to the NWB file (absolute when written)"
#: In an ImageSeries' comments: its external files are images, one frame each (whatever
#: their names end in: an image path without a file ending is not a video).
IMAGES_MARKER = "posebridge: external_file lists images, one frame each"
_FRAMES_TEXT = (
    f"{FRAMES_MARKER} (the times are video frame numbers written as seconds; "
    "no frame rate was known)"
)
_FPS_RE = re.compile(r"posebridge: fps=([0-9.eE+-]+)")
#: In the comments of a PoseEstimation's series: where keypoints' cleaned names meet, the
#: name NWB can hold kept its series (:func:`unique_names`), not the first keypoint's.
NAMES_MARKER = "posebridge: names=valid-kept"
NAMES_COMMENT = (
    f"{NAMES_MARKER} (of keypoint names that are one once '/' and ':' become '_', the one "
    "NWB can hold names its series and the others take _2, _3; a series named otherwise "
    "ends its description with its keypoint)"
)


#: Largest gap (s) between a rate-based time and ``frame / fps`` that the reader
#: closes by taking ``frame / fps`` (the times the writer was given).
SNAP_TOLERANCE = 1e-9


def kept_as_stored(path: str) -> bool:
    r"""Whether a video or image path is stored and read as given, on this system.

    A URL, or a path absolute on another system (``C:\lab\cam.mp4``,
    ``C:/lab/cam.mp4``, a UNC ``\\server\share\cam.mp4`` on Linux:
    :func:`~posebridge.formats._shared.images.is_absolute_path`) names no file of
    a folder here: writers do not make it relative to the .nwb's folder, and
    readers do not join it to it.

    Examples
    --------
    >>> [kept_as_stored(p) for p in ("C:\\lab\\cam.mp4", "//server/share/cam.mp4")]
    [True, True]
    >>> [kept_as_stored(p) for p in ("cam.mp4", "videos/cam.mp4")]
    [False, False]
    """
    spelled = path.replace("\\", "/")
    if "://" in path or spelled.startswith("//"):  # a URL, a UNC share (also once "/"-spelled)
        return True
    return is_absolute_path(path) and not os.path.isabs(path)


def relative_to_folder(path: str, folder: str | os.PathLike[str]) -> str:
    r"""A video path (absolute, or relative to the working folder) as NWB stores it:
    relative to ``folder``, the .nwb's.

    One :func:`kept_as_stored` stays as given; one on another drive than the
    folder (Windows) stays absolute.

    Examples
    --------
    >>> relative_to_folder("/data/session/cam.mp4", "/data/session/nwb")
    '../cam.mp4'
    >>> relative_to_folder("C:\\lab\\cam.mp4", "/data")
    'C:\\lab\\cam.mp4'
    """
    if kept_as_stored(path):
        return path
    try:
        return os.path.relpath(os.path.abspath(path), os.path.abspath(folder))
    except ValueError:  # another drive (Windows)
        return os.path.abspath(path)


def regular_times(starting_time: float, n: int, rate: float, first: int = 0) -> np.ndarray:
    """The times (s) of ``n`` samples taken at ``rate`` from ``starting_time``.

    The one formula of rate-based time: the writer chooses a rate only when
    this formula gives back the dataset's times exactly. ``first`` is the index
    of the first sample wanted (the times of samples ``first`` to ``first + n``).

    Examples
    --------
    >>> regular_times(1.0, 3, 2.0).tolist()
    [1.0, 1.5, 2.0]
    >>> regular_times(1.0, 2, 2.0, first=1).tolist()
    [1.5, 2.0]
    """
    return starting_time + np.arange(first, first + n, dtype=np.float64) / rate


def snap_to_frames(time: np.ndarray, fps: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Frame numbers ``round(time * fps)`` and the exact times ``frame / fps``.

    ``None`` when the frames do not increase or a time is farther than
    :data:`SNAP_TOLERANCE` from its frame's time.

    Examples
    --------
    >>> exact, frames = snap_to_frames(np.array([0.0, 1 / 3 + 1e-12]), 3.0)
    >>> frames.tolist(), exact.tolist() == [0.0, 1 / 3]
    ([0, 1], True)
    """
    frames = nearest_frames(time, fps)
    if frames.size > 1 and not np.all(np.diff(frames) > 0):
        return None
    exact = frames / fps
    if not np.allclose(exact, time, rtol=0, atol=SNAP_TOLERANCE):
        return None
    return exact, frames


def frames_comment() -> str:
    """The series comment marking frame-number time."""
    return _FRAMES_TEXT


#: The marker of a rate that is only the step of regular times, not a known frame rate.
NO_FPS_MARKER = "posebridge: no fps"


def no_fps_comment() -> str:
    """The series comment of regular times written as a rate for a dataset without fps."""
    return f"{NO_FPS_MARKER} (regular times written as a rate; no frame rate was known)"


def fps_comment(fps: float) -> str:
    """The series comment recording the frame rate (frame = round(time * fps))."""
    return f"posebridge: fps={float(fps)!r} (video frame number = round(time * fps))"


_NUMBER = r"([-+0-9.eE]+|inf|nan)"
_FRAME_MAP_RE = re.compile(rf"posebridge: frame=round\(\(time-{_NUMBER}\)\*{_NUMBER}\)\+{_NUMBER}")


def frame_map_comment(start: float, rate: float, first: int) -> str:
    """The series comment giving the video frame numbers as a formula of the times."""
    return (
        f"posebridge: frame=round((time-{float(start)!r})*{float(rate)!r})+{int(first)} "
        "(video frame numbers)"
    )


def mapped_frames(time: np.ndarray, start: float, rate: float, first: int) -> np.ndarray:
    """The frame numbers of :func:`frame_map_comment`'s formula (rounded as
    :func:`~posebridge.model.nearest_frames`).

    Examples
    --------
    >>> mapped_frames(np.array([4.0, 4.04, 4.2]), 4.0, 25.0, 100).tolist()
    [100, 101, 105]
    """
    return nearest_frames(np.asarray(time, dtype=np.float64) - start, rate) + int(first)


def parse_frame_map(comments: str | None) -> tuple[float, float, int] | None:
    """The (start, rate, first frame) of a series' frame marker, or ``None``."""
    found = _FRAME_MAP_RE.search(comments or "")
    if not found:
        return None
    try:
        start, rate, first = float(found[1]), float(found[2]), float(found[3])
    except ValueError:
        return None
    if not (np.isfinite(start) and np.isfinite(rate) and rate > 0 and first.is_integer()):
        return None
    return start, rate, int(first)


_PADDING_RE = re.compile(r"posebridge: padding_rows=([0-9]+)")


def padding_comment(rows: int) -> str:
    """The series comment marking the last ``rows`` rows as padding, not data."""
    return (
        f"posebridge: padding_rows={int(rows)} (the last {int(rows)} rows hold no data: they "
        "keep time the longest axis of a series shorter than its space dimension, as NWB "
        "requires)"
    )


def parse_padding(comments: str | None) -> int:
    """The number of padding rows a series' comments declare (0 when none)."""
    found = _PADDING_RE.search(comments or "")
    return int(found.group(1)) if found else 0


def parse_marker(comments: str | None) -> tuple[str, float | None] | None:
    """Read a posebridge time marker from a series' comments.

    Returns
    -------
    tuple or None
        ``("frames", None)``, ``("fps", rate)``, ``("no fps", None)`` or ``None``
        when there is none.
    """
    if not comments or "posebridge:" not in comments:
        return None
    if FRAMES_MARKER in comments:
        return ("frames", None)
    if NO_FPS_MARKER in comments:
        return ("no fps", None)
    found = _FPS_RE.search(comments)
    if found:
        try:
            value = float(found.group(1))
        except ValueError:
            return None
        if np.isfinite(value) and value > 0:
            return ("fps", value)
    return None


def given_unit(value: Any) -> str:
    """A unit the caller passes for the series (``pose_estimation_series_kwargs["unit"]``).

    Written as given, as movement and pynwb do (``"mm"`` stays ``"mm"``):
    only a dataset's ``space_unit`` is mapped to NWB's names
    (:func:`posebridge.model.units.unit_name`).

    Examples
    --------
    >>> given_unit("mm")
    'mm'
    """
    if not isinstance(value, str) or not value.strip():
        raise PoseBridgeError(
            f"the series unit must be a non-empty text (e.g. 'pixels', 'mm'), got {value!r}."
        )
    return value


def object_name(name: str) -> str:
    """A valid NWB object name for ``name``: no ``/``, and not ``.`` (HDF5 reserves both).

    Examples
    --------
    >>> [object_name(n) for n in ("left/ear", "", ".", "..")]
    ['left_ear', '_', '_', '..']
    """
    cleaned = str(name).replace("/", "_").replace("\\", "_")
    return cleaned if cleaned not in ("", ".") else "_"


def container_name(name: str) -> str:
    """A name pynwb accepts for a container (PoseEstimation, series, Skeleton, Device).

    :func:`object_name`, with ``:`` replaced by ``_`` too: hdmf, which pynwb
    and ndx-pose build on, refuses ``/`` and ``:`` in the name of a container
    it makes (``hdmf.container.AbstractContainer``).
    The name itself is kept where posebridge reads it back from: the
    description tags (:func:`individual_tag`, :func:`view_tag`) and the
    Skeleton's nodes.

    Examples
    --------
    >>> [container_name(n) for n in ("cam:1", "a/b", "12:00:01", ".")]
    ['cam_1', 'a_b', '12_00_01', '_']
    """
    return object_name(str(name).replace(":", "_"))


def warn_renamed(where: Any, attribute: str, name: str) -> str:
    """The name NWB takes for the dataset's ``attribute`` (``skeleton_name``, ``device``),
    with a warning naming ``where`` (the file), the attribute and the name written when
    NWB cannot take it as it is (:func:`container_name`: no ``/`` or ``:``).

    Examples
    --------
    >>> import warnings
    >>> warn_renamed("a.nwb", "device", "cam1")
    'cam1'
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_renamed("a.nwb", "skeleton_name", "mouse/v2")
    'mouse_v2'
    >>> str(caught[0].message).startswith("a.nwb: the dataset's skeleton_name 'mouse/v2'")
    True
    """
    written = container_name(name)
    if written != name:
        warnings.warn(
            f"{where}: the dataset's {attribute} {name!r} holds '/' or ':', which NWB does "
            f"not allow in an object's name; it is written (and reads back) as {written!r}.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return written


def unique_names(names: list[str], clean: Callable[[str], str] = object_name) -> list[str]:
    """``clean`` (:func:`object_name`) of each name, made unique with ``_2``, ``_3`` suffixes.

    A name that ``clean`` leaves as it is keeps it: only the names that cleaning
    changed take a suffix when they meet another, so that a tool finding an object
    by its name (movement: a keypoint by its series' name) finds its own data.

    Examples
    --------
    >>> unique_names(["a:b", "a_b", "a/b"], container_name)
    ['a_b_2', 'a_b', 'a_b_3']
    >>> unique_names(["a:b", "a/b"], container_name)
    ['a_b', 'a_b_2']
    """
    cleaned = [clean(name) for name in names]
    out: list[str | None] = [None] * len(names)
    seen: set[str] = set()
    for k, (name, base) in enumerate(zip(names, cleaned, strict=True)):
        if base == name and base not in seen:  # a valid name: kept as it is
            out[k] = base
            seen.add(base)
    following: dict[str, int] = {}  # each name's next suffix (see _free_name)
    for k, base in enumerate(cleaned):
        if out[k] is None:
            out[k] = _free_name(base, seen, following)
    return [str(name) for name in out]


def unique_names_in_order(
    names: list[str], clean: Callable[[str], str] = object_name
) -> list[str]:
    """The names :func:`unique_names` gave before it kept valid names as they are: the
    suffixes in order of appearance (``a/b``, ``a_b`` -> ``a_b``, ``a_b_2``), to read the
    series of the files written so (with no :data:`NAMES_MARKER`).

    Examples
    --------
    >>> unique_names_in_order(["a:b", "a_b", "a/b"], container_name)
    ['a_b', 'a_b_2', 'a_b_3']
    """
    seen: set[str] = set()
    following: dict[str, int] = {}
    return [_free_name(clean(name), seen, following) for name in names]


def _free_name(base: str, seen: set[str], following: dict[str, int]) -> str:
    """``base``, or ``base_2``, ``base_3`` ... the first not in ``seen`` (which it joins);
    ``following`` keeps each base's next suffix, so n repeats cost n, not n**2."""
    candidate = base
    counter = following.get(base, 2)
    while candidate in seen:
        candidate = f"{base}_{counter}"
        counter += 1
    following[base] = counter
    seen.add(candidate)
    return candidate


def rejected(error: Exception, what: str) -> PoseBridgeError:
    """The error to raise when pynwb / ndx-pose refuse the keyword arguments we pass on.

    A ``TypeError`` (an unknown keyword, a value of the wrong type) becomes
    :class:`posebridge.errors.TypeError`, also a ``TypeError`` as pynwb (and so
    sleap-io) raises; anything else a :class:`PoseBridgeError`.

    Examples
    --------
    >>> error = rejected(TypeError("NWBFile.__init__: unrecognized argument: 'foo'"), "x")
    >>> isinstance(error, TypeError), isinstance(error, PoseBridgeError)
    (True, True)
    >>> print(error)
    x: NWBFile.__init__: unrecognized argument: 'foo'
    """
    kind = errors.TypeError if isinstance(error, TypeError) else PoseBridgeError
    return kind(f"{what}: {error}")


def to_text(value: Any) -> str:
    """A stored NWB text value (bytes, numpy scalar, str) as ``str``."""
    if isinstance(value, bytes):
        return labels.decode_text(value)
    if isinstance(value, np.ndarray) and value.shape == ():
        return to_text(value.item())
    return str(value)


_INDIVIDUAL_TAG_RE = re.compile(r"\[posebridge individual (\d+)/(\d+): (.*)\]\s*$", re.DOTALL)


def individual_tag(name: str, index: int, count: int) -> str:
    """The tag added to a PoseEstimation description: the individual's name and rank."""
    return f"[posebridge individual {index + 1}/{count}: {name}]"


def parse_individual_tag(description: str | None) -> tuple[int, str] | None:
    """``(rank, name)`` from a PoseEstimation description tagged by posebridge."""
    if not description:
        return None
    found = _INDIVIDUAL_TAG_RE.search(description)
    if not found:
        return None
    return int(found.group(1)) - 1, found.group(3)


def individual_tag_count(description: str | None) -> int | None:
    """The count ``n`` of a PoseEstimation description's ``[posebridge individual i/n: ...]``
    tag (the individuals the save ranked), ``None`` without one.

    Examples
    --------
    >>> individual_tag_count("[posebridge individual 3/3: bob]")
    3
    """
    found = _INDIVIDUAL_TAG_RE.search(description or "")
    return int(found.group(2)) if found else None


def source_named_skeleton(name: str | None, all_tagged: bool) -> bool:
    """Whether a Skeleton's name was given by the source, not made up by a writer: the
    name the reader keeps as ``skeleton_name`` when every PoseEstimation links it.

    sleap-io's layout names an unnamed skeleton ``skeleton`` (posebridge's writer) and
    posebridge's own layout names one Skeleton per individual ``skeleton_<individual>``
    (``all_tagged``: every PoseEstimation is posebridge's, tagged with its individual).

    Examples
    --------
    >>> source_named_skeleton("fly", all_tagged=True)
    True
    >>> source_named_skeleton("skeleton_a", all_tagged=True)
    False
    """
    if not name or name in WRITERS_SKELETON_NAMES:
        return False
    return not (all_tagged and name.startswith("skeleton_"))


#: Opens the individual (and view) tags in the ``comments`` of every series of a
#: PoseEstimation whose description the caller gave (written as given, untagged).
TAGS_MARKER = "posebridge tags: "


def tags_comment(tags: str) -> str:
    """The series comment carrying a PoseEstimation's tags (:data:`TAGS_MARKER`).

    Examples
    --------
    >>> tags_comment("[posebridge individual 1/2: a]")
    'posebridge tags: [posebridge individual 1/2: a]'
    """
    return f"{TAGS_MARKER}{tags}"


def split_tags(comments: str) -> tuple[str, str | None]:
    """A series' comments without the tags :func:`tags_comment` ends them with, and the tags.

    Examples
    --------
    >>> split_tags("posebridge: fps=30.0 | posebridge tags: [posebridge individual 1/1: a]")
    ('posebridge: fps=30.0', '[posebridge individual 1/1: a]')
    >>> split_tags("no comments")
    ('no comments', None)
    """
    at = comments.rfind(TAGS_MARKER)
    if at < 0:
        return comments, None
    return comments[:at].rstrip(" |"), comments[at + len(TAGS_MARKER) :]


_KEYPOINT_TAG_RE = re.compile(r"\[posebridge keypoint: (.*)\]\s*$", re.DOTALL)


def keypoint_tag(name: str) -> str:
    """The tag ending a PoseEstimationSeries description named otherwise than its keypoint.

    A series named in metadata (``pose_estimation_series: {snout: {name: ...}}``)
    keeps its keypoint's name and place (the Skeleton's node) by it.

    Examples
    --------
    >>> keypoint_tag("snout")
    '[posebridge keypoint: snout]'
    """
    return f"[posebridge keypoint: {name}]"


def parse_keypoint_tag(description: str | None) -> str | None:
    """The keypoint named by a series description's :func:`keypoint_tag`, else ``None``.

    Examples
    --------
    >>> parse_keypoint_tag("Estimated position of snout (m). [posebridge keypoint: snout]")
    'snout'
    """
    found = _KEYPOINT_TAG_RE.search(description) if description else None
    return found.group(1) if found else None


_VIEW_TAG_RE = re.compile(r"\[posebridge view (\d+)/(\d+): (.*)\]\s*$", re.DOTALL)


def view_tag(name: str, index: int, count: int) -> str:
    """The tag added to a PoseEstimation description: the camera view's name and rank.

    It goes before the individual tag (:func:`individual_tag`), which ends the
    description.

    Examples
    --------
    >>> view_tag("left", 0, 2)
    '[posebridge view 1/2: left]'
    """
    return f"[posebridge view {index + 1}/{count}: {name}]"


def parse_view_tag(description: str | None) -> tuple[int, int, str] | None:
    """``(rank, count, name)`` from a PoseEstimation description tagged with a view.

    The view tag is the last text of the description once the individual tag
    (if any) is set aside.

    Examples
    --------
    >>> parse_view_tag("Poses. [posebridge view 2/2: top] [posebridge individual 1/1: m]")
    (1, 2, 'top')
    >>> parse_view_tag("Poses. [posebridge individual 1/1: m]") is None
    True
    """
    if not description:
        return None
    individual = _INDIVIDUAL_TAG_RE.search(description)
    text = description[: individual.start()] if individual else description
    found = _VIEW_TAG_RE.search(text.rstrip())
    if not found:
        return None
    return int(found.group(1)) - 1, int(found.group(2)), found.group(3)


def edge_indices(values: Any, where: str, path: str | os.PathLike[str]) -> np.ndarray:
    """Skeleton edges as (n, 2) int64 node indices.

    Raises
    ------
    FormatError
        Naming ``where`` (the dataset) in file ``path`` when the values are not
        whole numbers of shape (n, 2) (or a flat list of pairs).

    Examples
    --------
    >>> edge_indices(np.array([[0, 1], [1, 2]], dtype=np.uint8), "/edges", "x.nwb").tolist()
    [[0, 1], [1, 2]]
    """
    array = np.asarray(values)
    if array.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    whole = array.dtype.kind in "iu" or (
        array.dtype.kind == "f" and bool(np.all(np.isfinite(array) & (array % 1 == 0)))
    )
    paired = (array.ndim == 2 and array.shape[1] == 2) or (array.ndim == 1 and array.size % 2 == 0)
    if not whole or not paired:
        raise FormatError(
            Path(path),
            f"{where}: expected (n, 2) node indices, found {array.dtype} values of shape "
            f"{array.shape}.",
        )
    return array.reshape(-1, 2).astype(np.int64)


def parse_moment(value: Any) -> Any:
    """An ISO 8601 date/time (``Z`` taken for UTC) as a ``datetime``, else ``None``.

    Parameters
    ----------
    value
        Text (or a ``datetime``) read from a file or a dataset's ``attrs``.

    Returns
    -------
    datetime.datetime or None
        ``None`` when ``value`` is no ISO 8601 date/time.

    Examples
    --------
    >>> parse_moment("2024-01-01T12:00:00Z").isoformat()
    '2024-01-01T12:00:00+00:00'
    >>> parse_moment("noon") is None
    True
    """
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value
    try:
        return dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def times_origin(attrs: dict[str, Any]) -> Any:
    """The moment a dataset's times (s) count from, as its NWB attributes say.

    Its ``timestamps_reference_time``, else its ``session_start_time`` (NWB's
    default reference); ``None`` when neither is an ISO 8601 date/time.

    Parameters
    ----------
    attrs
        A dataset's attributes.

    Returns
    -------
    datetime.datetime or None
        The origin of the dataset's times.

    Examples
    --------
    >>> times_origin({"session_start_time": "2024-01-01T12:00:00+00:00"}).hour
    12
    >>> times_origin({}) is None
    True
    """
    for key in (REFERENCE_TIME, "session_start_time"):
        if attrs.get(key) and (moment := parse_moment(attrs[key])) is not None:
            return moment
    return None


@contextmanager
def reading_with_pynwb() -> Iterator[None]:
    """Around ``io.read()`` of a file an append adds to: pynwb's warnings about a series'
    rate of 0 Hz and about a Device's deprecated ``manufacturer`` are not shown.

    sleap-io writes a node seen at regular intervals of more than one frame with its rate
    truncated to a whole number, ``float(int(1 / 2.0)) = 0.0`` Hz (its predictions'
    times are frame numbers as seconds); pynwb warns, once per such series, each time
    it reads the file. An append does not read those series' times (posebridge reads
    the file's poses itself, from HDF5) and leaves them as they are: the warnings
    would say nothing about what the append does. sleap-io gives its camera Device
    ``manufacturer="Unknown"``, which pynwb deprecates (for a linked DeviceModel's)
    each time it reads such a Device; the append leaves it as it is. Other warnings are
    shown.

    Examples
    --------
    >>> with reading_with_pynwb():  # doctest: +SKIP
    ...     nwbfile = io.read()
    """
    with (
        dropping_warnings(UserWarning, message=r"Timeseries has a rate of 0\.0 Hz"),
        dropping_warnings(DeprecationWarning, message="The 'manufacturer'"),
    ):
        yield
