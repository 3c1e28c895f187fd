"""posebridge.io.load_poses: movement's module names and argument types.

movement's ``load_poses`` module has ``register_loader`` (the decorator its loaders
are registered with); its ``from_nwb_file`` looks the processing module and the
PoseEstimation up by name, so a key that is not text raises ``TypeError``.
"""

from __future__ import annotations

import numpy as np
import pytest

from posebridge.errors import PoseBridgeError
from posebridge.io import load, load_poses, save_poses


def test_load_poses_has_movements_register_loader(tmp_path, monkeypatch):
    for name in ("_REGISTERED", "_REGISTERED_SUFFIXES", "_REGISTERED_VALIDATORS"):
        monkeypatch.setattr(load, name, {})  # the registration ends with the test
    assert load_poses.register_loader is load.register_loader
    assert "register_loader" in load_poses.__all__
    seen = []

    @load_poses.register_loader("F149Tracker")
    def from_tracker(file, fps=None, **kwargs):
        seen.append((file, fps))
        return load_poses.from_numpy(np.zeros((2, 2, 1, 1)), fps=fps)

    path = tmp_path / "tracks.txt"
    ds = load.load_dataset(path, "F149Tracker", fps=5)
    assert seen == [(path, 5)]
    assert ds.attrs["fps"] == 5


@pytest.fixture
def nwbfile():
    ds = load_poses.from_numpy(np.zeros((5, 2, 3, 1)), individual_names=["a"], fps=10)
    return save_poses.to_nwb_file(ds)


@pytest.mark.parametrize("key", ["processing_module_key", "pose_estimation_key"])
@pytest.mark.parametrize("value", [5, b"behavior", 1.5])
def test_from_nwb_file_refuses_a_key_that_is_not_text_with_a_type_error(nwbfile, key, value):
    with pytest.raises(TypeError, match=rf"{key} must be text .* got") as raised:
        load_poses.from_nwb_file(nwbfile, **{key: value})
    assert isinstance(raised.value, PoseBridgeError)


def test_from_nwb_file_refuses_no_processing_module_key_as_movement(nwbfile):
    with pytest.raises(TypeError, match="processing_module_key must be text"):
        load_poses.from_nwb_file(nwbfile, processing_module_key=None)


def test_from_nwb_file_takes_numpy_text_keys(nwbfile):
    ds = load_poses.from_nwb_file(nwbfile, processing_module_key=np.str_("behavior"))
    assert ds.sizes["keypoint"] == 3
