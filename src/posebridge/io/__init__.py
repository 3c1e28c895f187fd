"""The seed-familiar facade: movement's I/O names, as thin calls into posebridge.

Code written for ``movement.io`` runs with ``posebridge.io`` in its place::

    from posebridge.io import load_poses, save_poses

    ds = load_poses.from_dlc_file("video1DLC_resnet50.h5", fps=30)
    save_poses.to_sleap_analysis_file(ds, "video1.analysis.h5")

These modules hold no logic of their own.
"""

from posebridge.io import load_bboxes, load_poses, save_bboxes, save_poses

__all__ = ["load_bboxes", "load_poses", "save_bboxes", "save_poses"]
