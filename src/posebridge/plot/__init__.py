"""Quick-look figures of a dataset (matplotlib, the ``plot`` extra).

Look before you trust: every function takes a dataset (poses, boxes or
labelled frames) and an optional matplotlib ``ax``, and returns the figure.

- :func:`trajectories` -- paths of each individual (centroid or keypoints) over
  a still frame of the video when one is known;
- :func:`confidence` -- a histogram of the scores of each keypoint;
- :func:`missing` -- a time x keypoint raster of where points are NaN;
- :func:`skeleton` -- one frame: keypoints, edges, boxes and track names.

:func:`figure` picks one by name (``posebridge plot --kind``) and
:func:`save_figure` writes it (PNG, SVG, PDF, by the file's ending). Large
datasets are thinned for drawing after selection, so only what is drawn is
read from a lazily loaded dataset, once.

Examples
--------
>>> import posebridge
>>> from posebridge import plot, sample_data
>>> ds = sample_data.fetch_dataset("posebridge_two-mice_2D.nc")
>>> fig = plot.trajectories(ds, keypoints=["snout"])
>>> fig = plot.missing(ds, individuals=["mouse1"])
"""

from __future__ import annotations

from posebridge.plot.figures import confidence, missing, skeleton, trajectories
from posebridge.plot.output import KINDS, figure, save_figure

__all__ = ["KINDS", "confidence", "figure", "missing", "save_figure", "skeleton", "trajectories"]
