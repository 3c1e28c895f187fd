"""Poses read from a PoseEstimation that links several cameras (ndx-pose 0.2 / 0.3), written
back to NWB: ndx-pose 0.4 links one camera per PoseEstimation, and the loss is said."""

from __future__ import annotations

import warnings

import h5py
import numpy as np
import pytest

import posebridge
from _corpus import corpus_path

pytest.importorskip("ndx_pose")

TWO_CAMERAS = "nwb/0.3.0_poseestimation_two_cameras.nwb"


def devices_linked(path):
    """The names of the Devices the PoseEstimation containers of ``path`` link: h5py's
    soft links of each container into ``/general/devices`` (ndx-pose 0.4's ``device``
    link, 0.2 / 0.3's unnamed links stored under each Device's name)."""
    linked = []
    with h5py.File(path, "r") as f:
        module = f["processing/behavior"]
        for name in module:
            kind = module[name].attrs.get("neurodata_type")
            if kind not in (b"PoseEstimation", "PoseEstimation"):
                continue
            for key in module[name]:
                link = module[name].get(key, getlink=True)
                if isinstance(link, h5py.SoftLink) and link.path.startswith("/general/devices/"):
                    linked.append(link.path.rsplit("/", 1)[-1])
    return linked


def test_poses_of_a_container_linking_two_cameras_warn_that_the_cameras_are_not_kept(tmp_path):
    source = corpus_path(TWO_CAMERAS)
    linked_in_source = devices_linked(source)
    assert len(linked_in_source) == 2  # the source's one PoseEstimation links two Devices
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = posebridge.load(source)
    out = tmp_path / "back.nwb"
    with pytest.warns(UserWarning, match="not kept") as caught:
        posebridge.save(ds, out)
    message = next(str(w.message) for w in caught if "not kept" in str(w.message))
    assert str(out) in message
    for camera in linked_in_source:
        assert camera in message
    written = devices_linked(out)
    assert len(written) == 1 and written[0] in message
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        back = posebridge.load(out)
    np.testing.assert_array_equal(back["position"].values, ds["position"].values)


def test_a_camera_named_by_the_caller_for_such_poses_is_linked_and_the_loss_said(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = posebridge.load(corpus_path(TWO_CAMERAS))
    out = tmp_path / "named.nwb"
    with pytest.warns(UserWarning, match="not kept"):
        posebridge.save(ds, out, config={"device_kwargs": {"name": "rig"}})
    assert devices_linked(out) == ["rig"]
