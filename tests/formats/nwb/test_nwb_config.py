"""posebridge.formats.nwb.config: the keys the NWB writer sets itself are refused.

movement's ``NWBFileSaveConfig`` says which keyword arguments "cannot be overwritten":
``subject`` in ``nwbfile_kwargs`` and ``skeleton_kwargs``, the series' ``data``,
``confidence`` and ``timestamps`` (and pynwb's ``rate`` / ``starting_time`` beside them),
the PoseEstimation's ``pose_estimation_series`` and ``skeleton``. movement raises
``TypeError`` (``ValueError`` for ``rate`` / ``starting_time``); posebridge replaced a
given ``Subject`` without a word, or linked one the file does not hold (the file then
failed to write). Each is refused up front with a ``posebridge.errors.TypeError``, which
``except TypeError`` and ``except ValueError`` both catch.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from pynwb.file import Subject

import posebridge
from posebridge.errors import PoseBridgeError
from posebridge.formats.nwb.config import NWBFileSaveConfig
from posebridge.io import load_poses, save_poses


@pytest.fixture
def poses() -> xr.Dataset:
    """One individual, three keypoints, five frames at 10 fps."""
    return load_poses.from_numpy(
        np.zeros((5, 2, 3, 1)),
        individual_names=["a"],
        keypoint_names=["k1", "k2", "k3"],
        fps=10,
        source_software="DeepLabCut",
    )


REFUSED = [
    ("nwbfile_kwargs", "subject", lambda: Subject(subject_id="S9", species="Mus musculus")),
    ("skeleton_kwargs", "subject", lambda: Subject(subject_id="S9")),
    ("pose_estimation_series_kwargs", "data", lambda: np.zeros((5, 2))),
    ("pose_estimation_series_kwargs", "confidence", lambda: np.zeros(5)),
    ("pose_estimation_series_kwargs", "timestamps", lambda: np.arange(5.0)),
    ("pose_estimation_series_kwargs", "rate", lambda: 10.0),
    ("pose_estimation_series_kwargs", "starting_time", lambda: 0.0),
    ("pose_estimation_kwargs", "pose_estimation_series", list),
    ("pose_estimation_kwargs", "skeleton", lambda: None),
]


@pytest.mark.parametrize(("section", "key", "value"), REFUSED)
def test_to_nwb_file_refuses_a_key_the_writer_sets_with_a_type_error(poses, section, key, value):
    config = NWBFileSaveConfig(**{section: {key: value()}})
    with pytest.raises(TypeError, match=rf"{section}\) cannot give '{key}'") as raised:
        save_poses.to_nwb_file(poses, config)
    assert isinstance(raised.value, PoseBridgeError)  # and a ValueError


def test_a_subject_in_nwbfile_kwargs_names_subject_kwargs_instead(poses):
    config = NWBFileSaveConfig(nwbfile_kwargs={"subject": Subject(subject_id="S9")})
    with pytest.raises(TypeError, match=r"from subject_kwargs \(the subject section\)"):
        save_poses.to_nwb_file(poses, config)


def test_a_subject_in_skeleton_kwargs_is_refused_before_a_file_is_built(poses):
    # it was linked in the Skeleton, not the file's: NWBHDF5IO.write failed later
    config = NWBFileSaveConfig(skeleton_kwargs={"subject": Subject(subject_id="S9")})
    with pytest.raises(TypeError, match="skeleton_kwargs"):
        save_poses.to_nwb_file(poses, config)


def test_a_refused_key_of_one_keypoint_names_it(poses):
    config = NWBFileSaveConfig(pose_estimation_series_kwargs={"k2": {"timestamps": [0.0]}})
    with pytest.raises(TypeError, match=r"pose_estimation_series_kwargs\['k2'\]\) cannot give"):
        save_poses.to_nwb_file(poses, config)


def test_movements_config_with_a_refused_key_is_refused_too(poses):
    movement_nwb = pytest.importorskip("movement.io.nwb")
    config = movement_nwb.NWBFileSaveConfig(nwbfile_kwargs={"subject": Subject(subject_id="S9")})
    with pytest.raises(TypeError, match="nwbfile_kwargs"):
        save_poses.to_nwb_file(poses, config)


def test_save_refuses_a_refused_key_in_its_metadata_file_and_writes_nothing(tmp_path, poses):
    metadata = tmp_path / "session.yaml"
    metadata.write_text("pose_estimation_series:\n  rate: 30.0\n", encoding="utf-8")
    with pytest.raises(TypeError, match=r"the pose_estimation_series section .* 'rate'"):
        posebridge.save(poses, tmp_path / "out.nwb", metadata=metadata)
    assert not (tmp_path / "out.nwb").exists()


def test_keys_movement_lets_the_caller_give_are_written(poses):
    from posebridge.formats.nwb.config import refuse_writer_set_keys

    config = NWBFileSaveConfig(
        nwbfile_kwargs={"session_description": "open field"},
        skeleton_kwargs={"name": "body"},
        pose_estimation_series_kwargs={"unit": "pixels", "comments": "c"},
        pose_estimation_kwargs={"scorer": "me"},
    )
    refuse_writer_set_keys(config, "config")  # nothing refused
    nwbfile = save_poses.to_nwb_file(poses, config)
    container = nwbfile.processing["behavior"]["PoseEstimation"]
    assert nwbfile.session_description == "open field"
    assert container.scorer == "me"
    assert container.skeleton.name == "body"
