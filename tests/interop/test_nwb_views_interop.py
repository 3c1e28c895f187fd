"""Camera views written to NWB open in pynwb + ndx-pose as ndx-pose lays them out (one
PoseEstimation per camera, each linking its own Device, one Skeleton per subject), pass
pynwb's validation, and nwbinspector says no more about them than about one view."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge import model

pytestmark = pytest.mark.interop

KEYPOINTS = ["snout", "tail_base", "ear_left"]
SUBJECT = {"species": "Mus musculus", "sex": "M", "age": "P90D"}


@pytest.fixture
def two_views_two_mice() -> xr.Dataset:
    rng = np.random.default_rng(5)
    position = rng.uniform(0, 640, size=(20, 2, 3, 2, 2))
    confidence = rng.uniform(0, 1, size=(20, 3, 2, 2))
    confidence[..., 1] *= 0.5
    position[4:6, :, 0, 1, 1] = np.nan
    confidence[4:6, 0, 1, 1] = np.nan
    per_view = [
        posebridge.from_numpy(
            position[..., v],
            confidence[..., v],
            individual_names=["mouse_b", "mouse_a"],
            keypoint_names=KEYPOINTS,
            fps=30.0,
            source_software="DeepLabCut",
        )
        for v in range(2)
    ]
    return model.validate(xr.concat(per_view, dim=xr.DataArray(["top", "side"], dims="view")))


_READ_IN_FRESH_PROCESS = textwrap.dedent(
    """
    import json, sys, warnings
    warnings.simplefilter("error")  # any warning while reading fails the check
    {imports}
    import pynwb
    out = {{}}
    with pynwb.NWBHDF5IO(sys.argv[1], "r") as io:
        nwbfile = io.read()
        behavior = nwbfile.processing["behavior"]
        skeletons = behavior["Skeletons"].skeletons
        for name, pose in behavior.data_interfaces.items():
            if pose.neurodata_type != "PoseEstimation":
                continue
            device = pose.device if hasattr(pose, "device") else None
            if device is None:  # the cached 0.4 spec without ndx_pose's classes
                device = getattr(pose, "fields", {{}}).get("device")
            skeleton = pose.skeleton
            out[name] = {{
                "device": device.name,
                "skeleton": skeleton.name,
                "same_skeleton": skeleton is skeletons[skeleton.name],
                "series": {{
                    key: [list(series.data.shape), float(series.data[0, 0]),
                          float(series.confidence[0])]
                    for key, series in pose.pose_estimation_series.items()
                }},
            }}
        out["devices"] = sorted(nwbfile.devices)
        out["subject"] = nwbfile.subject.subject_id if nwbfile.subject else None
    print(json.dumps(out))
    """
)


@pytest.mark.parametrize("imports", ["import ndx_pose", "# cached spec only"])
def test_pynwb_reads_each_views_pose_estimation_with_its_device(
    tmp_path, two_views_two_mice, imports
):
    ds = two_views_two_mice
    (path,) = posebridge.save(ds, tmp_path / "views.nwb", split_individuals=False)
    script = _READ_IN_FRESH_PROCESS.format(imports=imports)
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["devices"] == ["side", "top"]
    for view in ("top", "side"):
        for individual in ("mouse_b", "mouse_a"):
            pose = seen[f"PoseEstimation_{view}_{individual}"]
            assert pose["device"] == view
            assert pose["skeleton"] == f"skeleton_{individual}"
            assert pose["same_skeleton"]
            assert sorted(pose["series"]) == sorted(KEYPOINTS)
            one = ds.sel(view=view, individual=individual).isel(time=0)
            for keypoint, (shape, x, confidence) in pose["series"].items():
                assert shape == [20, 2]
                assert x == one.position.sel(space="x", keypoint=keypoint).item()
                assert confidence == one.confidence.sel(keypoint=keypoint).item()


def _serious(path, config) -> list[tuple[str, str, str]]:
    import nwbinspector

    return [
        (m.importance.name, m.check_function_name, m.message)
        for m in nwbinspector.inspect_nwbfile(nwbfile_path=str(path), config=config)
        if m.importance.name
        in ("CRITICAL", "BEST_PRACTICE_VIOLATION", "ERROR", "PYNWB_VALIDATION")
    ]


def _checks(path, config) -> set[tuple[str, str]]:
    import nwbinspector

    return {
        (m.importance.name, m.check_function_name)
        for m in nwbinspector.inspect_nwbfile(nwbfile_path=str(path), config=config)
    }


@pytest.mark.parametrize("split_individuals", [False, True])
def test_views_pass_pynwb_validation_and_nwbinspector_like_one_view(
    tmp_path, two_views_two_mice, split_individuals
):
    nwbinspector = pytest.importorskip("nwbinspector")
    import pynwb

    config = nwbinspector.load_config("dandi")
    ds = two_views_two_mice
    options = {"split_individuals": split_individuals, **SUBJECT}
    if not split_individuals:
        options["subject_id"] = "M1"
    views = posebridge.save(ds, tmp_path / "views.nwb", **options)
    one_view = posebridge.save(ds.isel(view=0, drop=True), tmp_path / "one.nwb", **options)
    assert len(views) == len(one_view) == (2 if split_individuals else 1)
    for path, single in zip(views, one_view, strict=True):
        assert pynwb.validate(path=path) == []
        assert _serious(path, config) == []
        # every message is one the same file with one view gets too (metadata gaps)
        assert _checks(path, config) <= _checks(single, config)
        assert _checks(path, None) <= _checks(single, None)
