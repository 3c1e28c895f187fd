"""In-memory bridges: ``sleap_io.Labels`` <-> posebridge datasets.

:func:`from_sleap_io` turns the objects of a loaded ``sleap_io.Labels`` into
the columnar tables an .slp file holds (one pass over the labelled frames,
then numpy only) and builds the dataset with the very code that reads .slp
files, so a ``Labels`` and the .slp file it came from give the same dataset:
tracks, skeleton (nodes in order, edges, symmetries), videos (path, size),
user and predicted instances, point / instance / tracking scores, the
predictions user instances were made from.

:func:`to_sleap_io` is the reverse: the instance tables the .slp writer plans
for a dataset become sleap-io objects, with one loop per labelled frame to
build them (sleap-io holds one Python object per instance).

sleap-io is an optional dependency (``pip install 'posebridge[sleap]'``); these
functions raise a PoseBridgeError that says so when it is missing.
"""

from __future__ import annotations

from posebridge.bridges.dataset_to_labels import to_sleap_io
from posebridge.bridges.labels_to_dataset import from_sleap_io
from posebridge.bridges.sleap_io_check import is_sleap_io_labels, require_sleap_io

__all__ = ["from_sleap_io", "is_sleap_io_labels", "require_sleap_io", "to_sleap_io"]
