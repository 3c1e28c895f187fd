"""Every drop-in saver returns what movement's function of the same name returns.

Code written against movement keeps working when it imports posebridge's modules
instead: ``to_via_tracks_file`` gives the ``Path``, the file writers ``None``,
``to_dlc_style_df`` a DataFrame (or a dict of them), ``to_nwb_file`` one NWBFile or a list.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from posebridge.io import load_bboxes, load_poses, save_bboxes, save_poses

mv_load_poses = pytest.importorskip("movement.io.load_poses")
mv_load_bboxes = pytest.importorskip("movement.io.load_bboxes")
mv_save_poses = pytest.importorskip("movement.io.save_poses")
mv_save_bboxes = pytest.importorskip("movement.io.save_bboxes")


def poses(module, individuals: int):
    rng = np.random.default_rng(3)
    return module.from_numpy(
        rng.uniform(0, 100, (6, 2, 3, individuals)),
        rng.uniform(0, 1, (6, 3, individuals)),
        individual_names=[f"id_{i}" for i in range(individuals)],
        keypoint_names=["nose", "ear", "tail"],
        fps=30,
    )


def boxes(module):
    rng = np.random.default_rng(4)
    return module.from_numpy(
        rng.uniform(10, 100, (5, 2, 2)),
        rng.uniform(5, 20, (5, 2, 2)),
        rng.uniform(0, 1, (5, 2)),
        individual_names=["id_1", "id_2"],
        frame_array=np.arange(5).reshape(-1, 1),
    )


def both(tmp_path: Path, name: str, module, dataset, call) -> tuple:
    """(movement's return, posebridge's) of ``call(function, dataset, folder)``."""
    returns = []
    for side, saver, data in (("mv", getattr(module[0], name), dataset[0]),
                              ("pb", getattr(module[1], name), dataset[1])):  # fmt: skip
        folder = tmp_path / side
        folder.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            returns.append(call(saver, data, folder))
    return tuple(returns)


POSES = (mv_save_poses, save_poses)
CASES = {
    "to_dlc_file": lambda f, ds, d: f(ds, d / "p.h5"),
    "to_dlc_file split": lambda f, ds, d: f(ds, d / "s.csv", split_individuals=True),
    "to_lp_file": lambda f, ds, d: f(ds.isel(individual=[0]), d / "v.csv"),
    "to_sleap_analysis_file": lambda f, ds, d: f(ds, d / "a.h5"),
    "to_dlc_style_df": lambda f, ds, d: f(ds),
    "to_dlc_style_df split": lambda f, ds, d: f(ds, split_individuals=True),
    "to_nwb_file": lambda f, ds, d: f(ds),
    "to_nwb_file one": lambda f, ds, d: f(ds.isel(individual=[0])),
}


def test_pose_savers_return_what_movement_returns(tmp_path):
    differing = []
    for n, (case, call) in enumerate(CASES.items()):
        name = case.split()[0]
        pair = (poses(mv_load_poses, 2), poses(load_poses, 2))
        theirs, ours = both(tmp_path / str(n), name, POSES, pair, call)
        same = type(ours) is type(theirs)
        if same and isinstance(theirs, dict):
            same = list(ours) == list(theirs)
        if same and isinstance(theirs, list):
            same = [type(v) for v in ours] == [type(v) for v in theirs]
        if not same:
            differing.append(f"{case}: {type(ours).__name__}, movement {type(theirs).__name__}")
    assert not differing
    # every saver both modules have is among the cases
    compared = {case.split()[0] for case in CASES} | {"to_via_tracks_file"}
    for ours_module, theirs_module in ((save_poses, mv_save_poses), (save_bboxes, mv_save_bboxes)):
        shared = {n for n in dir(ours_module) if n.startswith("to_") and hasattr(theirs_module, n)}
        assert shared <= compared


@pytest.mark.parametrize("given", ["relative", "absolute"])
def test_to_via_tracks_file_returns_movements_path(tmp_path, monkeypatch, given):
    monkeypatch.chdir(tmp_path)
    returns = []
    for side, module, loader in (("mv", mv_save_bboxes, mv_load_bboxes),
                                 ("pb", save_bboxes, load_bboxes)):  # fmt: skip
        (tmp_path / side).mkdir()
        path = f"{side}/tracks.csv" if given == "relative" else str(tmp_path / side / "b.csv")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            returns.append((path, module.to_via_tracks_file(boxes(loader), path)))
    (mv_path, theirs), (pb_path, ours) = returns
    assert type(ours) is type(theirs)
    assert (theirs, ours) == (Path(mv_path), Path(pb_path))
