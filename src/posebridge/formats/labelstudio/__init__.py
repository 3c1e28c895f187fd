"""Label Studio JSON: exports with keypoint labels, and tasks to import.

A Label Studio export is a JSON list of tasks; each task's ``data`` holds its
image and its ``annotations`` (or ``predictions``) hold ``result`` regions.
A ``keypointlabels`` region is one point: ``value.x`` / ``value.y`` in
**percent** of ``original_width`` / ``original_height``, its keypoint name in
``value.keypointlabels``; there is no visibility flag (an unlabelled point is
absent). A ``rectanglelabels`` region is an instance's box. A region's
``image_rotation`` (degrees) is how the annotator had turned the image in the
editor, and does not change the numbers: Label Studio turns its canvas with the
regions on it, so ``x`` / ``y`` stay percent of the unrotated image, whose
natural size ``original_width`` / ``original_height`` hold; pixels are
``x / 100 * original_width`` for every rotation, as Label Studio's export guide,
its converter and sleap-io compute them. The reader does not read it; the
writer writes 0.

Reading gives one row per task (``image_path`` = the task's image; its size in
``image_width`` / ``image_height``); a task with ``meta.video`` (``filename``,
``frame_idx``: how sleap-io and posebridge write labelled video frames) is that
video's frame instead (a ``filename`` that is a list of image files, sleap-io's
image sequence: the image ``filename[frame_idx]``). Points are grouped into instances by
``parentID`` (the rectangle they belong to), else by a ``relation`` to a
rectangle, whatever other relations the point has (a line to another point);
a point without ``parentID`` related to two rectangles is refused, naming it;
points with neither form instances after the rectangles' (the n-th
point of a label goes to the n-th such instance). Instances are
``untracked_<k>``; a rectangle gives ``bbox`` (pixels) and ``category`` (its
label). The keypoint order is the labelling config's (``label_config=``, a file
or the XML text: ``<KeyPointLabels>`` ordered by ``model_index``), else first
appearance. Annotations (each task's first one not cancelled; ``completions``
of old exports too) give a labels dataset; predictions (``results=
"predictions"``, or when no task has annotations) give a poses dataset with
``score`` in ``confidence`` (points) and ``instance_score`` (rectangles):
time counts the tasks (``image_path`` their images), or, when every task is a
frame of one video (``meta.video``), time is its ``frame_idx`` and
``video_path`` the video (frames of several videos, or of videos and images,
warn and count the tasks).
Other region types (polygons, labels, text) are ignored.

Writing gives tasks to import: ``kind="predictions"`` (pre-annotations that
annotators correct; the default for poses) or ``"annotations"`` (the default
for labels). Each instance with a point becomes a rectangle (stored ``bbox``,
else the points' extent) with its points as children (``parentID``, and a
``relation`` each, as Label Studio links them), in
percent of the image size (``image_width`` / ``image_height`` or
``image_size=``). A row without an image (a video frame) gets ``meta.video``
and a made-up image name ``<video stem>/img<frame>.png`` in ``data``.
``label_config=`` also writes a matching labelling config.
Label Studio has no place for visibility flags or individual names.

The corpus folder ``labelstudio`` holds exports from the label-studio-sdk
converter tests (``test_export_coco``, ``test_export_yolo``: inputs to its COCO
and YOLO exporters, so Label Studio JSON themselves) with their configs.
"""

from __future__ import annotations

import re

from posebridge._files import Peek
from posebridge.formats._shared.record import Format
from posebridge.formats.labelstudio.read import read
from posebridge.formats.labelstudio.write import check_option, write

__all__ = ["FORMATS", "read", "sniff", "write"]

_TASK_KEYS = re.compile(rb'"(data|annotations|predictions|completions)"\s*:')
#: The key of an annotation's or prediction's regions.
_RESULT_KEY = re.compile(rb'"result"\s*:')


def sniff(peek: Peek) -> bool:
    """A JSON list of objects with ``data`` and ``annotations``/``predictions`` keys,
    or one such task object (which Label Studio imports, and the reader takes) whose
    annotations or predictions hold a ``result``.

    Label Studio's export writes a task's ``data`` after its annotations, so a
    first task of many regions can push it past the file's first 256 kB, and an
    import task's ``data`` (an inline base64 image) can push its predictions past
    it: then the last 256 kB (the last task's keys) are looked at too.
    """
    head = peek.loose_head.lstrip(b"\xef\xbb\xbf \t\r\n")  # UTF-16: for the reader to refuse
    one_task = head.startswith(b"{")
    if not (one_task or re.match(rb"\[\s*\{", head)):
        return False
    keys = {m.group(1) for m in _TASK_KEYS.finditer(head)}
    results = bool(keys & {b"annotations", b"predictions", b"completions"})
    if keys and not (results and b"data" in keys):  # the other keys may lie in the tail
        keys |= {m.group(1) for m in _TASK_KEYS.finditer(peek.tail)}
        results = bool(keys & {b"annotations", b"predictions", b"completions"})
    if one_task and b"data" in keys and results:  # any JSON object may say "data"
        return _RESULT_KEY.search(head) is not None or _RESULT_KEY.search(peek.tail) is not None
    return b"data" in keys and results


FORMATS = (
    Format(
        name="labelstudio",
        title="Label Studio",
        extensions=(".json",),
        kinds=("poses", "labels"),
        sniff=sniff,
        read=read,
        write=write,
        check_write_option=check_option,
        aliases=("label-studio", "ls"),
        notes="JSON export/tasks with keypointlabels; label_config=, results=; write: kind=, "
        "image_size=, label_config=, image_key=, to_name=, keypoint_tool=, box_tool=, box_label=",
    ),
)
