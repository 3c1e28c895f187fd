"""The seed-familiar facade: movement's I/O names, as thin calls into posebridge.

Code written for ``movement.io`` runs with ``posebridge.io`` in its place::

    from posebridge.io import load_poses, save_poses

    ds = load_poses.from_dlc_file("video1DLC_resnet50.h5", fps=30)
    save_poses.to_sleap_analysis_file(ds, "video1.analysis.h5")

    from posebridge.io import load_dataset  # movement.io.load_dataset

    ds = load_dataset("video1DLC_resnet50.h5")  # the software found from the content

These modules hold no logic of their own. :mod:`posebridge.io.nwb` has
sleap-io's NWB function names and movement's ``NWBFileSaveConfig``.
"""

from posebridge.io import load, load_bboxes, load_poses, save_bboxes, save_poses
from posebridge.io.load import load_dataset, load_multiview_dataset

__all__ = [
    "load",
    "load_bboxes",
    "load_dataset",
    "load_multiview_dataset",
    "load_poses",
    "save_bboxes",
    "save_poses",
]
