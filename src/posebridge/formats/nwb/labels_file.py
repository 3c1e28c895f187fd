"""A new NWB file holding a labels dataset as ndx-pose PoseTraining: built, then written.

Used by the writer and by ``annotations_export``; the training frames
themselves are laid out in :mod:`.training`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xarray as xr

from posebridge.formats._shared.hdf5 import new_file
from posebridge.formats.nwb.build import new_nwbfile
from posebridge.formats.nwb.config import NWBFileSaveConfig
from posebridge.formats.nwb.training_write import (
    FramePlan,
    build_training,
    file_options,
    write_frames,
)

__all__ = ["labels_nwbfile", "write_labels_nwbfile"]


def labels_nwbfile(
    ds: xr.Dataset,
    config: NWBFileSaveConfig,
    target: Path,
    *,
    skeleton_name: str | None = None,
    made: Sequence[str | os.PathLike[str]] = (),
    order: Any = None,
    paths_from_working_folder: bool = False,
) -> tuple[Any, FramePlan]:
    """A new ``NWBFile`` with a labels dataset's PoseTraining (for a file at ``target``),
    and the plan of its training frames (:func:`write_labels_nwbfile` writes both).

    ``made``: files written with it, which the PoseTraining names (not looked for);
    ``order``: the rank of each instance in its frame (:class:`FramePlan`);
    ``paths_from_working_folder``: relative video paths taken from the working folder
    (sleap-io's way), not looked for."""
    individuals = [str(i) for i in ds["individual"].values]
    if not config.resolve("nwbfile_kwargs").get("session_description") and not ds.attrs.get(
        "session_description"
    ):
        software = ds.attrs.get("source_software", "a labelling tool")
        config.update(
            "nwbfile_kwargs",
            {"session_description": f"Labelled frames (pose training data) from {software}."},
            individuals,
        )
    one = individuals[0] if len(individuals) == 1 else None
    nwbfile = new_nwbfile(ds, config, one, where=str(target))
    plan = build_training(
        nwbfile,
        ds,
        target,
        skeleton_name=skeleton_name,
        made=made,
        order=order,
        paths_from_working_folder=paths_from_working_folder,
    )
    return nwbfile, plan


def write_labels_nwbfile(nwbfile: Any, plan: FramePlan, path: Path) -> None:
    """Write an NWBFile from :func:`labels_nwbfile`, then its training frames."""
    import pynwb

    options = file_options(plan.groups)  # the 1.8 format for a long image sequence
    with new_file(path, **options) as h5, pynwb.NWBHDF5IO(file=h5, mode="w") as io:
        io.write(nwbfile)
    with new_file(path, "r+") as h5:  # closing the NWBHDF5IO closed the first handle
        write_frames(h5, plan)
