"""COCO keypoints (JSON): ground-truth annotations and keypoint results.

Ground truth (``{"images", "annotations", "categories"}``) reads as a labels
dataset (:mod:`posebridge.model.labels`), one row per entry of ``images`` in
file order:

- ``image_path`` = ``file_name``; ``image_id``, ``image_width``,
  ``image_height`` coordinates keep the image's id and size (``image_id`` is
  int64, or text when an id is a text such as ``"img_001"``, which pycocotools
  also takes; numbers then become their decimal text, written back as strings);
- instances: the annotations of each image, in file order. An annotation with
  a track id (``attributes.object_id`` as sleap-io writes it, else ``track_id``,
  PoseTrack's, else ``instance_id``; a number or a text, ``track_mouse-A``) is
  the individual ``track_<id>``; others are
  ``untracked_<k>`` by rank within their image (``individual``, a key
  posebridge writes, names the individual when present);
- ``keypoints`` ``[x, y, v]``: v=0 -> NaN (not labelled), v=1 -> position kept,
  flag 1 in ``visible``, v=2 -> visible. ``visible`` is there only when some
  point has v=1 (otherwise it says nothing beyond NaN);
- categories: the keypoint names are the category's ``keypoints``. Categories
  that share one keypoint list (AP-10K's 54 species) are read together and
  each instance's category is in ``category`` (name) and ``category_id``;
  categories with different lists need ``category=`` (one per dataset). The
  categories read are in ``attrs["coco_categories"]`` (JSON text); ``skeleton_edges``
  is the first such category's skeleton, and each other category whose skeleton is
  not that one keeps its own there, written back to it. Crowd annotations
  (``iscrowd=1``) are skipped with a warning;
- ``skeleton`` -> ``skeleton_edges`` with its index base detected: any 0 is
  0-based, a largest index equal to the number of keypoints is 1-based, an
  empty list is no skeleton, anything else is an error (``skeleton_base=``);
- ``bbox`` -> ``bbox`` (time, box, individual), ``area`` -> ``instance_area``.

Results (a list of ``{"image_id", "category_id", "keypoints", "score"}``) read
as a poses dataset: ``time`` counts the images in order of first appearance
(``image_id`` coordinate), ``confidence`` is the third number of each keypoint
(its meaning varies between tools: it is never a visibility flag), ``score`` ->
``instance_score``. Every keypoint keeps its coordinates (results have no
"missing"). Keypoint names, skeleton, categories and images come from
``ground_truth=`` when given, else names from ``keypoint_names=`` (or
``keypoint_<k>``).

Writing: a labels dataset becomes ground truth (``kind="auto"``), predictions
become results; ``kind=`` forces either. Ground truth: one image per row
(``image_id`` kept, else frame number + 1 for distinct frames of one video, else
1..n; ``ground_truth=`` takes each row's id from the image of that file with its
``file_name``, refusing rows it lacks, results too; ``file_name`` = ``image_path``, else
``<video stem>/img<frame>.png``; width/height from ``image_width/height`` or
``image_size=``), one annotation per instance with a point or a box, v from
``visible`` (2 when none; a point with coordinates flagged 0 or 1 is v=1),
``num_keypoints``, ``bbox`` stored or the keypoints' extent, ``area`` stored
or the box's, ``iscrowd=0``, a 1-based ``skeleton`` (a category's own, when read
with one). ``track_id``: an individual ``track_<n>`` gets n; the other named
individuals keep their name in ``individual`` and get ids on from the largest n
(from 1 without any: sleap-io reads 0 as no track), as YOLO pose predictions
number them; names that would share an id (``track_01``, ``track_1``) are
refused; ``untracked_<k>`` get none. Read back, individuals come in order of
their ``track_id``. Results: third number = ``confidence`` (the v flag 2/0 when
NaN), ``score`` = ``instance_score``, else the mean keypoint confidence, else 1.
"""

from __future__ import annotations

import re

from posebridge._files import Peek
from posebridge.formats._shared.record import Format
from posebridge.formats.coco.read import read
from posebridge.formats.coco.write import check_option, write

__all__ = ["FORMATS", "read", "sniff", "write"]

_GT_KEYS = re.compile(rb'"(images|annotations|categories)"\s*:')
#: The first record of a list, with objects nested one level in it (an RLE segmentation).
_FIRST_RECORD = re.compile(rb"^\s*\[\s*\{((?:[^{}]|\{[^{}]*\})*)")
_NESTED = re.compile(rb"\{[^{}]*\}")


def _is_ground_truth(keys: set[bytes]) -> bool:
    """Whether ``keys`` (found in a JSON object) are COCO ground truth's."""
    return b"images" in keys and (b"annotations" in keys or b"categories" in keys)


def sniff(peek: Peek) -> bool:
    """A JSON object with COCO's ``images`` and ``annotations``/``categories`` keys,
    or a list whose first record has ``image_id`` and ``keypoints``.

    The keys are looked for in the file's first and last 256 kB: JSON keys come in
    the writer's order, so a large ``images`` list can push ``annotations`` and
    ``categories`` past the head, or large ``annotations`` push ``images`` there.
    """
    head = peek.loose_head.lstrip(b"\xef\xbb\xbf \t\r\n")  # UTF-16: for the reader to refuse
    if head.startswith(b"{"):
        keys = {m.group(1) for m in _GT_KEYS.finditer(head)}
        if keys and not _is_ground_truth(keys):  # the other keys may lie in the tail
            keys |= {m.group(1) for m in _GT_KEYS.finditer(peek.tail)}
        return _is_ground_truth(keys)
    if head.startswith(b"["):
        first = _FIRST_RECORD.match(head)
        if not first:
            return False
        own = _NESTED.sub(b"", first.group(1))  # the record's own keys, not its objects'
        return b'"image_id"' in own and b'"keypoints"' in head
    return False


FORMATS = (
    Format(
        name="coco",
        title="COCO keypoints",
        extensions=(".json",),
        kinds=("poses", "labels"),
        sniff=sniff,
        read=read,
        write=write,
        check_write_option=check_option,
        aliases=("COCO", "coco-keypoints"),
        notes="ground truth <-> labels; results (list with score) <-> poses with "
        "instance_score; category=, ground_truth=, keypoint_names=, skeleton_base=; "
        "write: kind=, category_name=, image_size=, ground_truth=",
    ),
)
