"""What posebridge writes to NWB is read by pynwb, movement and passed by nwbinspector (DANDI)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import posebridge
from _corpus import corpus_params
from posebridge import model
from posebridge.formats import nwb

pytestmark = pytest.mark.interop


@pytest.fixture
def two_mice_at_30fps(poses_two_mice_with_nan):
    ds = model.with_fps(poses_two_mice_with_nan, 30.0)
    ds["skeleton_edges"] = (("edge", "edge_node"), np.array([["snout", "tail_base"]]))
    ds.attrs["scorer"] = "DLC_resnet50_testshuffle1"
    return ds


_READ_IN_FRESH_PROCESS = textwrap.dedent(
    """
    import json, sys, warnings
    warnings.simplefilter("error")  # any warning while reading fails the check
    {imports}
    import pynwb
    out = {{}}
    with pynwb.NWBHDF5IO(sys.argv[1], "r") as io:
        nwbfile = io.read()
        for name, pose in nwbfile.processing["behavior"].data_interfaces.items():
            if pose.neurodata_type != "PoseEstimation":
                continue
            out[name] = {{
                key: [list(series.data.shape), float(series.data[0, 0])]
                for key, series in pose.pose_estimation_series.items()
            }}
        out["subject"] = nwbfile.subject.subject_id if nwbfile.subject else None
    print(json.dumps(out))
    """
)


@pytest.mark.parametrize("imports", ["import ndx_pose", "# cached spec only"])
def test_pynwb_reads_our_files_in_a_fresh_process(tmp_path, two_mice_at_30fps, imports):
    (path,) = posebridge.save(two_mice_at_30fps, tmp_path / "out.nwb", split_individuals=False)
    script = _READ_IN_FRESH_PROCESS.format(imports=imports)
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    for individual in ("mouse_b", "mouse_a"):
        series = seen[f"PoseEstimation_{individual}"]
        assert list(series) == ["ear_left", "snout", "tail_base"]
        first = two_mice_at_30fps.position.sel(individual=individual, space="x").values[0]
        for keypoint, (shape, value) in series.items():
            assert shape == [20, 2]
            assert value == pytest.approx(
                first[list(two_mice_at_30fps.keypoint.values).index(keypoint)]
            )


def test_movement_reads_our_files_with_the_same_arrays(tmp_path, two_mice_at_30fps):
    load_poses = pytest.importorskip("movement.io.load_poses")
    written = posebridge.save(two_mice_at_30fps, tmp_path / "m.nwb")
    for path, individual in zip(written, ["mouse_b", "mouse_a"], strict=True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = load_poses.from_nwb_file(path)
        ours = two_mice_at_30fps.sel(individual=[individual])
        for keypoint in ours.keypoint.values:
            np.testing.assert_array_equal(
                theirs.position.sel(keypoint=keypoint).values[..., 0],
                ours.position.sel(keypoint=keypoint).values[..., 0],
            )
            np.testing.assert_array_equal(
                theirs.confidence.sel(keypoint=keypoint).values[..., 0],
                ours.confidence.sel(keypoint=keypoint).values[..., 0],
            )
        np.testing.assert_allclose(theirs.time.values, ours.time.values, rtol=0, atol=1e-12)
        assert theirs.attrs["fps"] == 30.0


def test_posebridge_reads_movements_files_like_movement(tmp_path, two_mice_at_30fps):
    pytest.importorskip("movement")
    pynwb = pytest.importorskip("pynwb")
    from movement.io import save_poses

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        files = save_poses.to_nwb_file(two_mice_at_30fps.drop_vars("skeleton_edges"))
    paths = []
    for nwbfile in files:
        path = tmp_path / f"{nwbfile.identifier}.nwb"
        with pynwb.NWBHDF5IO(path, "w") as io:
            io.write(nwbfile)
        paths.append(path)
        ours = posebridge.load(path)
        expected = two_mice_at_30fps.sel(individual=[nwbfile.identifier])
        assert ours.individual.values.tolist() == [nwbfile.identifier]  # the subject id
        np.testing.assert_array_equal(ours.position.values, expected.position.values)
        np.testing.assert_array_equal(ours.time.values, expected.time.values)
    both = nwb.load_nwb_poses(paths)
    assert both.individual.values.tolist() == [f.identifier for f in files]
    np.testing.assert_array_equal(both.position.values, two_mice_at_30fps.position.values)


@pytest.mark.parametrize("path", corpus_params("nwb", "*.nwb"))
def test_corpus_reads_agree_with_movement(path):
    load_poses = pytest.importorskip("movement.io.load_poses")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            theirs = load_poses.from_nwb_file(path)
        except Exception as error:  # movement (with ndx-pose 0.4) cannot read some files
            pytest.skip(f"movement cannot read {path.name}: {type(error).__name__}")
        ours = posebridge.load(path)
    if theirs.sizes.get("keypoint", 0) == 0:
        assert ours.sizes["keypoint"] == 0
        return
    prefix = f"{ours.individual.values[0]}_"
    for keypoint in theirs.keypoint.values:
        name = str(keypoint)
        mine = name if name in ours.keypoint.values else name.removeprefix(prefix)
        a = theirs.position.sel(keypoint=keypoint).values[..., 0]
        b = ours.position.sel(keypoint=mine).values[..., 0]
        np.testing.assert_array_equal(a, b[:, : a.shape[1]])
        np.testing.assert_array_equal(
            theirs.confidence.sel(keypoint=keypoint).values[..., 0],
            ours.confidence.sel(keypoint=mine).values[..., 0],
        )
    np.testing.assert_allclose(theirs.time.values, ours.time.values, rtol=1e-6)


def test_full_metadata_file_passes_nwbinspector_dandi(tmp_path, two_mice_at_30fps):
    nwbinspector = pytest.importorskip("nwbinspector")
    video = tmp_path / "session.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    one = two_mice_at_30fps.isel(individual=[0])
    (path,) = posebridge.save(
        one,
        tmp_path / "dandi.nwb",
        subject_id="M1",
        species="Mus musculus",
        sex="M",
        age="P90D",
        video_path=video,
    )
    config = nwbinspector.load_config("dandi")
    messages = list(nwbinspector.inspect_nwbfile(nwbfile_path=str(path), config=config))
    serious = [
        m
        for m in messages
        if m.importance.name
        in ("CRITICAL", "BEST_PRACTICE_VIOLATION", "ERROR", "PYNWB_VALIDATION")
    ]
    assert serious == [], [(m.check_function_name, m.message) for m in serious]


def test_frames_only_and_irregular_files_pass_nwbinspector_too(tmp_path, poses_single_3d):
    nwbinspector = pytest.importorskip("nwbinspector")
    irregular = poses_single_3d.assign_coords(time=np.r_[0:6, 10:16])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        (path,) = posebridge.save(
            irregular,
            tmp_path / "f.nwb",
            subject_id="S",
            species="Mus musculus",
            sex="U",
            age="P1D",
        )
    config = nwbinspector.load_config("dandi")
    serious = [
        m
        for m in nwbinspector.inspect_nwbfile(nwbfile_path=str(path), config=config)
        if m.importance.name in ("CRITICAL", "BEST_PRACTICE_VIOLATION")
    ]
    assert serious == [], [(m.check_function_name, m.message) for m in serious]


def test_movements_save_config_is_accepted(tmp_path, two_mice_at_30fps):
    movement_nwb = pytest.importorskip("movement.io.nwb")
    config = movement_nwb.NWBFileSaveConfig(
        nwbfile_kwargs={"session_description": "from movement's config"},
        subject_kwargs={"mouse_a": {"age": "P60D"}, "mouse_b": {"age": "P61D"}},
    )
    files = nwb.build_nwbfiles(two_mice_at_30fps, config)
    assert [f.subject.age for f in files] == ["P61D", "P60D"]
    assert {f.session_description for f in files} == {"from movement's config"}


#: nwbinspector's check of each Subject field posebridge warns about.
SUBJECT_CHECKS = {
    "age": "check_subject_age",
    "sex": "check_subject_sex",
    "species": "check_subject_species_form",
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("age", "P90D"),
        ("age", "90 days"),
        ("age", "P90D/"),
        ("age", "P90D/P120D"),
        ("age", "PT36H"),
        ("age", "P2Y6M"),
        ("age", "12 weeks"),
        ("sex", "F"),
        ("sex", "U"),
        ("sex", "female"),
        ("sex", "m"),
        ("species", "Mus musculus"),
        ("species", "mouse"),
        ("species", "Rattus norvegicus"),
        ("species", "http://purl.obolibrary.org/obo/NCBITaxon_10090"),
        ("species", "mus musculus"),
    ],
)
def test_posebridge_warns_about_a_subject_field_exactly_when_nwbinspector_flags_it(
    tmp_path, two_mice_at_30fps, field, value
):
    nwbinspector = pytest.importorskip("nwbinspector")
    one = two_mice_at_30fps.isel(individual=[0])
    metadata = {"age": "P90D", "sex": "F", "species": "Mus musculus", field: value}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (path,) = posebridge.save(one, tmp_path / "s.nwb", subject_id="M1", **metadata)
    warned = [str(w.message) for w in caught if "NWB subject" in str(w.message)]
    flagged = [
        m.message
        for m in nwbinspector.inspect_nwbfile(nwbfile_path=str(path))
        if m.check_function_name == SUBJECT_CHECKS[field]
    ]
    assert bool(warned) == bool(flagged), (warned, flagged)
    if warned:
        assert f"{field} {value!r}" in warned[0]
