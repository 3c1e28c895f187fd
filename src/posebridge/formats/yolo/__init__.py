"""Ultralytics YOLO pose datasets: data.yaml plus one label file per image.

The path read and written is the dataset's **data.yaml**; it is recognised by
its ``kpt_shape`` key. Each split (``train``, ``val``, ``test``) lists image
folders (or ``.txt`` lists); the label of an image replaces the last
``images`` part of its path with ``labels`` and its extension with ``.txt``,
so Ultralytics' ``images/train`` and Roboflow's ``train/images`` trees both
work (and Roboflow's ``../train/images`` entries, as Ultralytics resolves them).

A label row is ``cls cx cy w h`` followed by K x ``x y`` or ``x y v``
(``kpt_shape: [K, 2|3]``), every number normalised by the image's width and
height. Reading gives a labels dataset, one row per image (train, val, test;
a folder's images by path, hidden ones left out; a ``.txt`` list's in its order),
with ``data_split``; coordinates are multiplied by each image's
size, read from the image header (Pillow, no pixel decoding) or given as
``image_size=(width, height)``. v=0 -> NaN, v=1 keeps the position with 1 in
``visible``, v=2 visible; ``kpt_shape [K, 2]`` points are all kept. Instances
are ``untracked_<k>`` by rank in their file; their class is in
``category_id`` / ``category`` (``names``), their box in ``bbox``
(pixels, top-left corner). ``flip_idx`` -> ``skeleton_symmetries`` (an
identity one: ``attrs["yolo_flip_idx"] = "identity"``, written back);
``kpt_names`` (newer Ultralytics yamls), else ``node_names`` (sleap-io's key),
else ``keypoint_names=``, names the keypoints; sleap-io's ``skeleton`` (0-based
pairs) -> ``skeleton_edges``. When an image is absent, its ``image_path`` is where it should be,
without extension. A row with the wrong number of columns or a non-number is
refused naming the label file and line. Two equal rows of one label file are
read as two individuals at one place (as the writer writes such animals), with
a warning naming the files and lines: Ultralytics keeps one of them when it
trains ("duplicate labels removed").

Writing puts data.yaml at the given path and a label file per row below its
folder (an empty file for a row without instances): a row's image keeps its
relative path when it lies in an ``images`` folder, else goes to
``<split>/images/<name>`` (``data_split``, else ``split=``). Boxes are the
stored ``bbox`` or the keypoints' extent; data.yaml gets ``kpt_shape [K, 3]``,
``flip_idx`` from ``skeleton_symmetries`` (or the identity read, see above;
left out otherwise), ``names`` from
``category_id`` / ``category`` (one class ``animal`` without), and
``kpt_names``, and with ``skeleton_edges`` sleap-io's ``node_names`` and
``skeleton``. Every image needs a size (``image_width`` / ``image_height`` or
``image_size=``). Images are not copied. YOLO has no place for individual
names, confidences or scores.

``yolo-predictions`` (:mod:`.predictions`, :mod:`.predictions_write`) is what
``yolo pose predict`` / ``yolo pose track`` write with ``save_txt=True``: the
``labels`` folder of ``<video>_<frame>.txt`` (or ``<image>.txt``) files, read
as poses with ``track_<id>`` / ``untracked_<k>`` individuals, keypoint
confidence, ``instance_score`` (``save_conf``), ``bbox`` and ``category_id``.
"""

from __future__ import annotations

import re

from posebridge._files import Peek
from posebridge.formats._shared.record import Format
from posebridge.formats.yolo import predictions, predictions_write
from posebridge.formats.yolo.read import read
from posebridge.formats.yolo.write import write

__all__ = ["FORMATS", "predictions", "predictions_write", "read", "sniff", "write"]

_KPT_SHAPE = re.compile(r"^kpt_shape\s*:", re.MULTILINE)


def sniff(peek: Peek) -> bool:
    """A YAML text with a top-level ``kpt_shape`` key (a YOLO pose data.yaml).

    Text in another encoding than UTF-8 (Latin-1, UTF-16) is recognised too:
    the reader then says what is wrong with it (line, byte, encoding).
    """
    text = peek.loose_text
    return bool(text) and _KPT_SHAPE.search(text) is not None


FORMATS = (
    Format(
        name="yolo",
        title="YOLO pose",
        extensions=(".yaml", ".yml"),
        kinds=("poses", "labels"),
        sniff=sniff,
        read=read,
        write=write,
        aliases=("ultralytics", "yolo-pose"),
        notes="the dataset's data.yaml; image_size=, keypoint_names=; write: image_size=, split=",
    ),
    Format(
        name="yolo-predictions",
        title="YOLO pose predictions",
        extensions=(".txt",),
        kinds=("poses",),
        sniff=predictions.sniff,
        read=predictions.read,
        write=predictions_write.write,
        aliases=("ultralytics-predictions", "yolo-txt"),
        sniff_folder=predictions.sniff_folder,
        notes="the labels folder of `yolo pose predict|track save_txt=True` (or one .txt); "
        "kpt_shape=, keypoint_names= or dataset=; image_size= or video=; fps=, stem=, "
        "vid_stride=, save_conf=; write: <folder>/<stem>.txt -> <stem>_<frame + 1>.txt, "
        "image_size=, track_ids=",
    ),
)
