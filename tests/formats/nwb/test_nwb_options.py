"""NWB reader and writer options: a wrong value is refused naming the option, before writing.

Each case used to escape as a raw error of pynwb, h5py or datetime, or was silently
replaced or ignored.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge import errors, model
from posebridge.errors import FormatError, PoseBridgeError
from posebridge.formats import nwb
from posebridge.model import labels

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture
def poses() -> xr.Dataset:
    """6 frames at 30 fps, 1 individual, 3 keypoints, 2D."""
    position = np.random.default_rng(3).uniform(0, 100, (6, 2, 3, 1))
    return model.from_numpy(position, keypoint_names=["a", "b", "c"], fps=30)


@pytest.fixture
def labelled() -> xr.Dataset:
    """2 labelled frames of one video, 2 individuals, 3 keypoints."""
    position = np.random.default_rng(4).uniform(0, 100, (2, 2, 3, 2))
    return labels.from_numpy(
        position,
        video=["cam.mp4", "cam.mp4"],
        frame=[3, 9],
        individual_names=["m1", "m2"],
        keypoint_names=["a", "b", "c"],
    )


def _no_nwb_left(folder) -> bool:
    return not any(p.suffix == ".nwb" for p in folder.iterdir())


# --------------------------------------------------------------------------
# writing: text metadata


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"subject_id": "a\x00b"}, "subject_id"),
        ({"species": "a\x00b"}, "species"),
        ({"sex": "a\x00b"}, "sex"),
        ({"age": "a\x00b"}, "age"),
        ({"session_description": "a\x00b"}, "session_description"),
        ({"video_path": "a\x00b"}, "video_path"),
        ({"video_path": ""}, "video_path"),
        ({"metadata": {"device": {"name": ""}}}, "device.name"),
        ({"metadata": {"skeleton": {"name": " "}}}, "skeleton.name"),
        ({"metadata": {"video": {"name": ""}}, "video_path": "v.mp4"}, "video.name"),
        ({"metadata": {"pose_estimation": {"name": "a/b"}}}, "pose_estimation.name"),
        ({"metadata": {"device": {"name": "cam:1"}}}, "device.name 'cam:1' holds ':'"),
        ({"metadata": {"processing_module": {"name": ""}}}, "processing_module.name"),
        ({"metadata": {"nwbfile": {"keywords": ["ok", "a\x00"]}}}, r"nwbfile.keywords\[1\]"),
        ({"metadata": {"subject": {"description": "a\x00"}}}, "subject.description"),
        ({"metadata": {"device": {"id_0": {"manufacturer": "a\x00"}}}}, "device.id_0"),
        ({"config": {"pose_estimation_series": {"a": {"comments": "\x00"}}}}, "config"),
        (
            {"config": nwb.NWBFileSaveConfig(device_kwargs={"name": ""})},
            "option config=: device.name",
        ),
    ],
)
def test_text_nwb_cannot_hold_is_refused_naming_the_option(tmp_path, poses, options, named):
    with pytest.raises(PoseBridgeError, match=named):
        posebridge.save(poses, tmp_path / "a.nwb", **options)
    assert _no_nwb_left(tmp_path)


def test_a_name_that_is_not_text_is_a_type_error(tmp_path, poses):
    with pytest.raises(errors.TypeError, match=r"option metadata=: skeleton.name must be text.*5"):
        posebridge.save(poses, tmp_path / "a.nwb", metadata={"skeleton": {"name": 5}})
    with pytest.raises(errors.TypeError, match="video_path must be a path"):
        nwb.write(poses, tmp_path / "a.nwb", video_path=5)
    assert _no_nwb_left(tmp_path)


def test_nul_in_labels_metadata_and_build_nwbfiles_is_refused(tmp_path, labelled, poses):
    with pytest.raises(PoseBridgeError, match="subject_id"):
        posebridge.save(labelled, tmp_path / "l.nwb", subject_id="m\x00")
    with pytest.raises(PoseBridgeError, match="option metadata=: nwbfile.lab"):
        posebridge.save(labelled, tmp_path / "l.nwb", metadata={"nwbfile": {"lab": "\x00"}})
    with pytest.raises(PoseBridgeError, match="video_path"):
        nwb.build_nwbfiles(poses, video_path="v\x00.mp4")
    assert _no_nwb_left(tmp_path)


# --------------------------------------------------------------------------
# writing: session_start_time


@pytest.mark.parametrize("value", [dt.datetime.max, dt.datetime.min])
def test_a_naive_start_time_local_time_cannot_hold_is_refused(tmp_path, poses, value):
    try:
        value.astimezone()
    except (ValueError, OverflowError):
        pass
    else:  # pragma: no cover - a time zone (UTC on some platforms) that holds it
        pytest.skip("the local time zone holds this time")
    with pytest.raises(PoseBridgeError, match="session_start_time.*time zone"):
        posebridge.save(poses, tmp_path / "a.nwb", session_start_time=value)
    with pytest.raises(PoseBridgeError, match="date_of_birth"):
        posebridge.save(poses, tmp_path / "a.nwb", metadata={"subject": {"date_of_birth": value}})
    assert _no_nwb_left(tmp_path)


@pytest.mark.parametrize("value", ["", " ", 0, 1.5, False, True, ["2024-01-01"]])
def test_a_start_time_that_is_no_time_is_refused_not_replaced(tmp_path, poses, value):
    with pytest.raises(PoseBridgeError, match="session_start_time"):
        posebridge.save(poses, tmp_path / "a.nwb", session_start_time=value)
    config = {"nwbfile": {"session_start_time": value}}
    with pytest.raises(PoseBridgeError, match="session_start_time"):
        posebridge.save(poses, tmp_path / "a.nwb", metadata=config)
    assert _no_nwb_left(tmp_path)


def test_start_times_at_the_ends_of_the_range_with_a_zone_are_kept(tmp_path, poses):
    for text in ("9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+05:00"):
        posebridge.save(poses, tmp_path / "a.nwb", session_start_time=text, overwrite=True)
        assert posebridge.load(tmp_path / "a.nwb").attrs["session_start_time"] == text
    naive = dt.datetime(2024, 5, 1, 10, 30)  # documented: taken as local time
    posebridge.save(poses, tmp_path / "a.nwb", session_start_time=naive, overwrite=True)
    stored = posebridge.load(tmp_path / "a.nwb").attrs["session_start_time"]
    assert stored == naive.astimezone().isoformat()


# --------------------------------------------------------------------------
# writing: compression, search, options for the other content


@pytest.mark.parametrize("value", ["gzip:\u00b2", "gzip:\u0661", "gzip:10", "gzip:"])
def test_gzip_level_must_be_one_ascii_digit(tmp_path, poses, value):
    with pytest.raises(PoseBridgeError, match="compression.*0-9"):
        posebridge.save(poses, tmp_path / "a.nwb", compression=value)
    assert _no_nwb_left(tmp_path)


@pytest.mark.parametrize("value", [5, [5], ["ok", None], {"a": 1}, b"folder"])
def test_search_must_be_folders(tmp_path, labelled, value):
    with pytest.raises(errors.TypeError, match="search must be a folder or a list of folders"):
        posebridge.save(labelled, tmp_path / "l.nwb", export_frames=True, search=value)
    with pytest.raises(PoseBridgeError, match="NUL"):
        nwb.write(labelled, tmp_path / "l.nwb", export_frames=True, search=["a\x00"])
    assert _no_nwb_left(tmp_path)


def test_options_the_content_written_does_not_use_are_refused(tmp_path, labelled, poses):
    with pytest.raises(PoseBridgeError, match="search=.*export_frames=True"):
        posebridge.save(labelled, tmp_path / "l.nwb", search=[str(tmp_path)])
    with pytest.raises(PoseBridgeError, match="search=.*export_frames=True"):
        posebridge.save(poses, tmp_path / "p.nwb", search=str(tmp_path))
    assert _no_nwb_left(tmp_path)


@pytest.mark.parametrize(
    "option", [{"compression": "gzip"}, {"dtype": "float32"}, {"video_path": "v.mp4"}]
)
def test_pose_options_for_labelled_frames_are_ignored_with_a_warning(tmp_path, labelled, option):
    """A batch gives every input the same options; a labels input warns and is written."""
    (name,) = option
    with pytest.warns(UserWarning, match=f"{name}=.* apply to poses .* were ignored"):
        (path,) = posebridge.save(labelled, tmp_path / "l.nwb", **option)
    assert posebridge.load(path).sizes == labelled.sizes


# --------------------------------------------------------------------------
# writing: one subject_id for several individuals


def test_shared_subject_id_in_metadata_is_refused_like_the_option(tmp_path, poses):
    four = xr.concat([poses.assign_coords(individual=[f"b{i}"]) for i in range(4)], "individual")
    with pytest.raises(PoseBridgeError, match="one subject per file") as flag:
        posebridge.save(four, tmp_path / "a.nwb", subject_id="M1")
    with pytest.raises(PoseBridgeError, match="one subject per file") as shared:
        posebridge.save(four, tmp_path / "a.nwb", metadata={"subject": {"subject_id": "M1"}})
    assert str(shared.value).split(") was given", 1)[1] == str(flag.value).split(") was given")[1]
    assert _no_nwb_left(tmp_path)
    per = {"subject": {f"b{i}": {"subject_id": f"M{i}"} for i in range(4)}}
    written = posebridge.save(four, tmp_path / "a.nwb", metadata=per)
    assert [posebridge.load(p).attrs["subject_id"] for p in written] == ["M0", "M1", "M2", "M3"]
    one = posebridge.save(four, tmp_path / "one.nwb", split_individuals=False, subject_id="M1")
    assert len(one) == 1  # one file: one subject for all of them, as given


def test_a_shared_subject_id_is_refused_with_its_facts_apart_and_pickles(tmp_path, poses):
    """The refusal keeps the subject_id, the individuals and where it was given apart (a
    batch names the manifest row from them, not by parsing the message), and survives the
    trip from a worker process."""
    import pickle

    from posebridge.errors import SharedSubjectError

    two = xr.concat([poses.assign_coords(individual=[n]) for n in ("b0", "b1")], "individual")
    with pytest.raises(SharedSubjectError) as flag:
        posebridge.save(two, tmp_path / "a.nwb", subject_id="M1")
    with pytest.raises(SharedSubjectError) as shared:
        posebridge.save(two, tmp_path / "a.nwb", metadata={"subject": {"subject_id": "M1"}})
    assert (flag.value.subject_id, flag.value.individuals) == ("M1", ["b0", "b1"])
    assert flag.value.from_option and not shared.value.from_option
    back = pickle.loads(pickle.dumps(flag.value))
    assert (str(back), back.subject_id, back.individuals, back.from_option) == (
        str(flag.value),
        "M1",
        ["b0", "b1"],
        True,
    )


def test_the_skeleton_of_a_files_one_animal_is_linked_to_its_subject(tmp_path, poses):
    """A subject_id other than the individual's name left Skeleton.subject empty
    (movement links it)."""
    from pynwb import NWBHDF5IO

    two = xr.concat([poses.assign_coords(individual=[n]) for n in ("m1", "m2")], "individual")
    per = {"subject": {"m1": {"subject_id": "M1"}, "m2": {"subject_id": "M2"}}}
    paths = posebridge.save(two, tmp_path / "a.nwb", metadata=per)
    shared = posebridge.save(two, tmp_path / "b.nwb", split_individuals=False, subject_id="M1")
    for path, linked in [(paths[0], {"m1": "M1"}), (paths[1], {"m2": "M2"}), (shared[0], {})]:
        with NWBHDF5IO(path, "r") as io:
            nwbfile = io.read()
            skeletons = nwbfile.processing["behavior"]["Skeletons"].skeletons
            found = {
                name.removeprefix("skeleton_"): skeleton.subject.subject_id
                for name, skeleton in skeletons.items()
                if skeleton.subject is not None
            }
        assert found == linked  # two animals of one file: neither is the file's subject
    # an animal appended to a file of another is not linked to the other's Subject
    posebridge.save(poses.assign_coords(individual=["m3"]), paths[0], append=True)
    with NWBHDF5IO(paths[0], "r") as io:
        skeletons = io.read().processing["behavior"]["Skeletons"].skeletons
        assert skeletons["skeleton_m3"].subject is None
        assert skeletons["skeleton_m1"].subject.subject_id == "M1"


# --------------------------------------------------------------------------
# reading: names and options of the other content


def test_a_skeleton_or_training_key_the_file_lacks_is_named_with_what_it_has(tmp_path, labelled):
    path = tmp_path / "l.nwb"
    nwb.write(labelled, path)
    with pytest.raises(FormatError, match=r"no Skeleton named 'nope'.*\('skeleton'\).*skeleton="):
        posebridge.load(path, skeleton="nope")
    with pytest.raises(FormatError, match="no PoseTraining named 'nope'.*PoseTraining"):
        posebridge.load(path, training_key="nope")
    with pytest.raises(errors.TypeError, match="skeleton must be text"):
        nwb.read(path, skeleton=3)
    ds = posebridge.load(path, skeleton="skeleton", training_key="PoseTraining")
    assert ds.sizes["time"] == 2


def test_an_empty_training_names_no_skeleton_it_lacks(tmp_path, labelled):
    path = tmp_path / "l.nwb"
    nwb.write(labelled, path)
    with h5py.File(path, "r+") as h5:  # a PoseTraining with no frame (posebridge writes none)
        frames = h5["processing/behavior/PoseTraining/training_frames"]
        for name in list(frames):
            del frames[name]
    with pytest.raises(FormatError, match=r"no Skeleton named 'nope' \(its Skeletons: 'skeleton'"):
        posebridge.load(path, skeleton="nope")
    assert posebridge.load(path, skeleton="skeleton").keypoint.values.tolist() == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("written", "options", "applies"),
    [
        ("labelled", {"processing_module_key": "nope"}, "labelled frames.*training_key="),
        ("labelled", {"pose_estimation_key": "nope"}, "labelled frames.*training_key="),
        ("labelled", {"combine": "views"}, "labelled frames.*training_key="),
        (
            "labelled",
            {"content": "labels", "combine": "individuals"},
            "labelled frames.*training_key=",
        ),
        ("poses", {"training_key": "nope"}, "poses.*combine="),
        ("poses", {"skeleton": "nope"}, "poses.*combine="),
        ("poses", {"content": "predictions", "skeleton": "x"}, "poses.*combine="),
    ],
)
@pytest.mark.parametrize("reading", ["load", "open_dataset", "xarray engine", "convert"])
def test_options_of_the_other_content_are_refused(
    tmp_path, request, written, options, applies, reading
):
    """Poses options on labelled frames and labels options on poses were ignored (by the
    lazy reader that open_dataset, the xarray engine and a streamed convert use, always)."""
    import xarray as xr

    path = tmp_path / "f.nwb"
    nwb.write(request.getfixturevalue(written), path)
    given = next(k for k in options if k != "content")
    read = {
        "load": lambda: posebridge.load(path, **options),
        "open_dataset": lambda: posebridge.open_dataset(path, **options),
        "xarray engine": lambda: xr.open_dataset(path, engine="posebridge", read_options=options),
        "convert": lambda: posebridge.convert(path, tmp_path / "out.nc", read_options=options),
    }[reading]
    with pytest.raises(PoseBridgeError, match=f"{given}=.*{applies}"):
        read()
    assert not (tmp_path / "out.nc").exists()


def test_a_file_with_both_reads_labels_options_with_content_labels(tmp_path, poses, labelled):
    path = tmp_path / "both.nwb"
    nwb.write(poses, path)
    nwb.write(labelled, path, append=True)
    with pytest.raises(PoseBridgeError, match="training_key=.*content="):
        posebridge.load(path, training_key="PoseTraining")  # auto: the poses
    ds = posebridge.load(path, content="labels", training_key="PoseTraining")
    assert labels.is_labels(ds)


@pytest.mark.parametrize("in_memory", [False, True])
def test_an_age_counted_from_conception_survives_a_round_trip(tmp_path, in_memory):
    """pynwb writes age__reference as the age's 'reference' attribute; it was not read, so
    writing the dataset again wrote pynwb's default 'birth': P18D from conception became
    18 days after birth."""
    import h5py
    import pynwb

    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), fps=30)
    subject = {"subject_id": "E1", "species": "Mus musculus", "sex": "M", "age": "P18D"}
    metadata = {"subject_kwargs": {**subject, "age__reference": "gestational"}}
    (first,) = nwb.write(ds, tmp_path / "a.nwb", metadata=metadata)
    if in_memory:
        with pynwb.NWBHDF5IO(first, "r") as io:
            back = nwb.load_nwb_poses(io.read())
    else:
        back = posebridge.load(first)
    assert back.attrs["subject_age__reference"] == "gestational"
    (again,) = nwb.write(back, tmp_path / "b.nwb")
    with h5py.File(again) as h5:
        assert h5["general/subject/age"].attrs["reference"] == "gestational"
    plain = nwb.write(ds, tmp_path / "c.nwb", subject_id="E2", age="P90D")[0]
    assert "subject_age__reference" not in posebridge.load(plain).attrs  # birth: NWB's default


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252"])
def test_a_metadata_file_that_is_not_utf8_is_refused_naming_it(tmp_path, poses, encoding):
    """A UTF-16 metadata YAML (Windows Notepad) was a raw UnicodeDecodeError."""
    metadata = tmp_path / "metadata.yaml"
    metadata.write_bytes("subject:\n  subject_id: Maus-Ä\n".encode(encoding))
    with pytest.raises(PoseBridgeError, match=r"metadata\.yaml: .*UTF-8"):
        posebridge.save(poses, tmp_path / "out.nwb", metadata=str(metadata))
    assert not (tmp_path / "out.nwb").exists()


@pytest.mark.parametrize("lazy", [False, True], ids=["in-memory", "streamed"])
def test_a_value_float32_cannot_hold_is_refused_before_the_file_is_made(tmp_path, poses, lazy):
    """It was stored as an infinity, and the file did not read back."""
    poses = poses.copy(deep=True)
    poses.position.values[2, 0, 1, 0] = 1e39
    given = poses.chunk({"time": 2}) if lazy else poses
    with pytest.raises(PoseBridgeError, match=r"1e\+39 is too large for dtype='float32'") as error:
        posebridge.save(given, tmp_path / "a.nwb", dtype="float32")
    assert "a.nwb" in str(error.value)
    assert _no_nwb_left(tmp_path)
    poses.position.values[2, 0, 1, 0] = 3e38  # the largest float32 is about 3.4e38
    given = poses.chunk({"time": 2}) if lazy else poses
    (written,) = posebridge.save(given, tmp_path / "b.nwb", dtype="float32")
    assert np.isclose(float(posebridge.load(written).position.values[2, 0, 1, 0]), 3e38)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("nwbfile:\n  session_id: " + "9" * 5000 + "\n", r"line 2 \(key 'session_id'\)"),
        ("nwbfile:\n  keywords: [[a, b], [c]]\n", "nwbfile.keywords"),
        ("nwbfile:\n  acquisition: [1]\n", "nwbfile.acquisition"),
        ("nwbfile:\n  was_generated_by: [[a, [b]]]\n", "nwbfile.was_generated_by"),
        ("nwbfile:\n  lab: 7\n", "nwbfile.lab"),
        ("device:\n  model: x\n", "device.model"),
        ("subject:\n  species: [Mus musculus]\n", "subject.species"),
    ],
    ids=["huge-int", "nested-keywords", "acquisition", "generated-by", "number", "model", "list"],
)
def test_metadata_of_a_type_nwb_cannot_take_is_refused_naming_the_file_and_key(
    tmp_path, poses, text, named
):
    """They escaped as a raw ValueError or AttributeError of PyYAML, numpy or hdmf."""
    metadata = tmp_path / "meta.yaml"
    metadata.write_text(text)
    with pytest.raises(PoseBridgeError, match=named) as error:
        posebridge.save(poses, tmp_path / "out.nwb", metadata=str(metadata))
    assert "meta.yaml" in str(error.value)
    assert _no_nwb_left(tmp_path)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("subject:\n  mouse_1: {species: Mus musculus}\n", r"'mouse_1' names no individual"),
        ("nwbfile:\n  session_description: {text: open field}\n", r"session_description is a"),
        ("pose_estimation_series:\n  snot: {description: x}\n", r"'snot' names no keypoint"),
        ("nwbfile:\n  lab: {name: Lab}\n  institution: Uni\n", r"nwbfile.lab must be text"),
    ],
    ids=["typo", "mapping-value", "keypoint-typo", "shared-mapping"],
)
def test_metadata_keyed_by_no_individual_of_the_data_is_refused(tmp_path, poses, text, named):
    """A section of mappings was read as per individual, and its values dropped silently."""
    metadata = tmp_path / "meta.yaml"
    metadata.write_text(text)
    with pytest.raises(PoseBridgeError, match=named) as error:
        posebridge.save(poses, tmp_path / "out.nwb", metadata=str(metadata))
    assert "meta.yaml" in str(error.value)
    assert _no_nwb_left(tmp_path)


def test_a_metadata_file_shared_by_several_animals_files_is_taken_with_a_warning(tmp_path, poses):
    """One YAML for the per-animal files of a session: the other animal's key is warned
    about, not refused, and the animal's own entry is written."""
    metadata = {
        "subject": {"id_0": {"species": "Mus musculus"}, "id_1": {"species": "Rattus"}},
    }
    with pytest.warns(UserWarning, match=r"'id_1' names no individual of the data"):
        (written,) = posebridge.save(poses, tmp_path / "out.nwb", metadata=metadata)
    with h5py.File(written) as h5:
        assert h5["general/subject/species"][()] == b"Mus musculus"


def test_metadata_keyed_by_the_datas_individuals_and_keypoints_is_written(tmp_path, poses):
    metadata = {
        "subject": {"id_0": {"species": "Mus musculus"}},
        "pose_estimation_series": {"a": {"description": "the snout"}},
    }
    (written,) = posebridge.save(poses, tmp_path / "out.nwb", metadata=metadata)
    with h5py.File(written) as h5:
        assert h5["general/subject/species"][()] == b"Mus musculus"
        assert h5["processing/behavior/PoseEstimation/a"].attrs["description"] == "the snout"


@pytest.mark.parametrize(
    ("skeleton", "named"),
    [
        ({"nodes": ["a"]}, r"skeleton\.nodes cannot be given"),
        (
            {"edges": [[0, 9]]},
            r"skeleton\.edges \[\[0, 9\]\] must be pairs of node indices 0\.\.2",
        ),
        ({"id_0": {"edges": [[0, 1, 2]]}}, r"skeleton\.id_0\.edges"),
        ({"edges": [[True, 1]]}, r"skeleton\.edges"),
    ],
    ids=["nodes", "out-of-range", "per-individual-triple", "bool"],
)
def test_skeleton_metadata_contradicting_the_keypoints_is_refused(
    tmp_path, poses, skeleton, named
):
    """Given nodes replaced the keypoints (the file read back reordered); bad edges went in."""
    with pytest.raises(PoseBridgeError, match=named):
        posebridge.save(poses, tmp_path / "out.nwb", metadata={"skeleton": skeleton})
    assert _no_nwb_left(tmp_path)


def test_skeleton_edges_given_in_metadata_replace_the_datas(tmp_path, poses):
    (written,) = posebridge.save(
        poses, tmp_path / "out.nwb", metadata={"skeleton": {"edges": [[0, 2]]}}
    )
    back = posebridge.load(written)
    assert back.keypoint.values.tolist() == ["a", "b", "c"]
    assert back.skeleton_edges.values.tolist() == [["a", "c"]]
    with h5py.File(written) as h5:
        assert h5["processing/behavior/Skeletons/skeleton_id_0/edges"].dtype == np.uint8


def test_series_named_in_metadata_keep_their_keypoints_names_and_order(tmp_path, poses):
    """The keypoint came back under the series' name, moved to the end."""
    series = {
        "a": {"name": "PoseEstimationSeriesSnout"},
        "b": {"name": "Ear", "description": "left ear"},
        "c": {"comments": "tail base"},
    }
    metadata = {"pose_estimation_series": series}
    (written,) = posebridge.save(poses, tmp_path / "out.nwb", metadata=metadata)
    back = posebridge.load(written)
    assert back.keypoint.values.tolist() == ["a", "b", "c"]
    np.testing.assert_array_equal(back.position.values, poses.position.values)
    with h5py.File(written) as h5:
        container = h5["processing/behavior/PoseEstimation"]
        assert {"PoseEstimationSeriesSnout", "Ear", "c"} <= set(container)
        assert container["Ear"].attrs["description"] == "left ear [posebridge keypoint: b]"
        assert "[posebridge" not in container["c"].attrs["description"]


def test_a_config_keyed_by_other_individuals_too_warns_as_movement_takes_it(tmp_path, poses):
    """movement's NWBFileSaveConfig may hold entries for individuals the data does not have."""
    config = nwb.NWBFileSaveConfig(subject_kwargs={"id_0": {"age": "P90D"}, "id_9": {}})
    with pytest.warns(UserWarning, match=r"config: subject .*'id_9' names no individual"):
        (written,) = posebridge.save(poses, tmp_path / "out.nwb", config=config)
    assert posebridge.load(written).attrs["subject_age"] == "P90D"
    wrong = nwb.NWBFileSaveConfig(nwbfile_kwargs={"lab": {"name": "Lab"}})
    with pytest.raises(PoseBridgeError, match=r"config: nwbfile\.lab is a mapping"):
        posebridge.save(poses, tmp_path / "other.nwb", config=wrong)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("\n".join(f"- item{i}" for i in range(2000)), "got a list of 2,000 items (['item0'"),
        ("scorer,DLC\n" + "1,0.5,0.5\n" * 5000, "got a text of 50,010 characters ('scorer,DLC"),
    ],
    ids=["list", "a csv file"],
)
def test_a_metadata_file_that_is_not_a_mapping_is_described_not_repeated(
    tmp_path, poses, content, said
):
    """The error quoted the whole file (22 kB for a list of 2000 items, 120 kB for a CSV)."""
    metadata = tmp_path / "metadata.yaml"
    metadata.write_text(content)
    with pytest.raises(PoseBridgeError, match="expected a mapping of sections") as caught:
        posebridge.save(poses, tmp_path / "out.nwb", metadata=str(metadata))
    assert said in str(caught.value)
    assert len(str(caught.value)) < 400


def test_the_metadata_file_is_checked_before_the_input_is_read(tmp_path, poses):
    """posebridge.convert read the whole input before refusing a metadata file."""
    source = posebridge.save(poses, tmp_path / "in.csv")[0]
    source.write_bytes(source.read_bytes()[:-40])  # a damaged end: reading it fails
    metadata = tmp_path / "metadata.yaml"
    metadata.write_text("subject:\n  sex: M\nfoo: 1\n")
    with pytest.raises(PoseBridgeError, match="unknown section 'foo'") as caught:
        posebridge.convert(source, tmp_path / "out.nwb", metadata=str(metadata))
    assert "option metadata=" in str(caught.value)


@pytest.mark.parametrize(
    ("metadata", "said"),
    [
        ({"bogus": {}}, "unknown section 'bogus'"),
        ({"subject": 5}, "section 'subject' must be a mapping"),
        (5, "must be an NWBFileSaveConfig, a dict of sections or a YAML file path, got int"),
    ],
)
def test_a_refused_metadata_value_names_the_option_once(tmp_path, poses, metadata, said):
    """It said 'option metadata=: metadata: unknown section …'; a number was refused only
    once the writing began, naming neither the option nor the file."""
    target = tmp_path / "out.nwb"
    with pytest.raises(PoseBridgeError) as caught:
        posebridge.save(poses, target, metadata=metadata)
    start = f"{target}: The NWB writer's option metadata=: "
    message = str(caught.value)
    assert message.startswith(start), message
    assert "metadata" not in message.removeprefix(start), message
    assert said in message
    assert caught.value.option == "metadata"
    assert not target.exists()


def _keys_taken(made) -> set[str]:
    """The keyword arguments a pynwb / ndx-pose class takes, read from its signature."""
    return {arg["name"] for arg in made.__init__.__docval__["args"]}


@pytest.mark.parametrize(
    ("metadata", "section", "key", "match"),
    [
        ({"subject": {"foo": 1}}, "subject", "foo", None),
        ({"subject": {"id_0": {"spcies": "Mus"}}}, "subject", "spcies", "species"),
        ({"nwbfile": {"sesion_description": "x"}}, "nwbfile", "sesion_description", None),
        ({"device": {"manufactrer": "Basler"}}, "device", "manufactrer", "manufacturer"),
    ],
    ids=["subject", "subject-per-individual", "nwbfile", "device"],
)
def test_a_metadata_key_nwb_does_not_take_is_refused_before_writing(
    tmp_path, poses, metadata, section, key, match
):
    """pynwb refused it only once the file was built, naming neither the file nor the
    option (\"Subject.__init__: unrecognized argument: 'foo'\")."""
    import ndx_pose  # noqa: F401  (pynwb's classes load with it)
    import pynwb

    made = {
        "subject": pynwb.file.Subject,
        "nwbfile": pynwb.NWBFile,
        "device": pynwb.device.Device,
    }[section]
    target = tmp_path / "out.nwb"
    with pytest.raises(TypeError) as caught:
        posebridge.save(poses, target, metadata=metadata)
    assert isinstance(caught.value, PoseBridgeError)
    said = str(caught.value)
    assert str(target) in said
    assert "option metadata=" in said
    assert f"{section}." in said and key in said
    assert all(name in said for name in _keys_taken(made))
    if match is not None:
        assert f"Did you mean {match!r}" in said
    assert "unrecognized argument" not in said
    assert _no_nwb_left(tmp_path)


def test_a_metadata_key_nwb_does_not_take_is_refused_before_the_input_is_read(tmp_path, poses):
    """posebridge.convert read the whole input, then pynwb refused the key."""
    source = posebridge.save(poses, tmp_path / "in.csv")[0]
    source.write_bytes(source.read_bytes()[:-40])  # a damaged end: reading it fails
    with pytest.raises(PoseBridgeError, match=r"subject\.foo is not a key") as caught:
        posebridge.convert(source, tmp_path / "out.nwb", metadata={"subject": {"foo": 1}})
    assert "option metadata=" in str(caught.value)


def test_the_datasets_own_video_missing_here_is_left_out_with_a_warning(tmp_path, poses):
    """The dataset's own video_path was dropped without a word when the file is not on this
    machine (a .slp converted where its video is not); the explicit option writes it."""
    poses.attrs.update(video_path="/no/such/place/cam.mp4", video_width=640, video_height=480)
    target = tmp_path / "out.nwb"

    with pytest.warns(UserWarning, match="no such file here") as caught:
        posebridge.save(poses, target)

    said = next(str(w.message) for w in caught if "no such file here" in str(w.message))
    assert str(target) in said and "/no/such/place/cam.mp4" in said and "video_path=" in said
    assert posebridge.load(target).attrs.get("video_path") is None
    with pytest.warns(UserWarning, match="does not exist"):
        posebridge.save(poses, target, overwrite=True, video_path="/no/such/place/cam.mp4")
    assert posebridge.load(target).attrs["video_path"] == "/no/such/place/cam.mp4"


def test_the_datasets_own_video_present_here_is_linked_without_that_warning(tmp_path, poses):
    video = tmp_path / "cam.mp4"
    video.write_bytes(b"\0")
    poses.attrs["video_path"] = str(video)
    target = tmp_path / "out.nwb"

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(poses, target)

    assert not [w for w in caught if "no such file here" in str(w.message)]
    assert posebridge.load(target).attrs["video_path"] == str(video)


def test_the_datasets_relative_video_beside_its_source_file_is_linked(
    tmp_path, poses, monkeypatch
):
    """A .slp names its video relative to itself: run from another folder, the video beside
    the source file was taken for missing (not linked, and warned as "no such file here")."""
    (tmp_path / "project").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "project" / "cam.mp4").write_bytes(b"\0")
    poses.attrs.update(source_file=str(tmp_path / "project" / "x.slp"), video_path="cam.mp4")
    monkeypatch.chdir(tmp_path / "elsewhere")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(poses, tmp_path / "out.nwb")

    assert not [w for w in caught if "no such file here" in str(w.message)]
    linked = posebridge.load(tmp_path / "out.nwb").attrs["video_path"]
    assert Path(linked).resolve() == (tmp_path / "project" / "cam.mp4").resolve()


def test_the_missing_video_warning_speaks_of_a_size_only_when_there_is_one(tmp_path, poses):
    poses.attrs["video_path"] = "/no/such/place/cam.mp4"
    with pytest.warns(UserWarning, match="no such file here") as caught:
        posebridge.save(poses, tmp_path / "a.nwb")
    assert not any("size" in str(w.message) for w in caught if "no such file" in str(w.message))

    poses.attrs.update(video_width=640, video_height=480)
    with pytest.warns(UserWarning, match="the video's size goes with it"):
        posebridge.save(poses, tmp_path / "b.nwb")


def test_the_missing_video_warning_names_each_file_of_a_split_save(tmp_path):
    """Split one file per individual, the warning named the save's target (clip.nwb), a
    file that was not written, instead of the files that were."""
    position = np.random.default_rng(5).uniform(0, 100, (4, 2, 3, 2))
    ds = model.from_numpy(position, individual_names=["female", "male"], fps=30)
    ds.attrs["video_path"] = "/no/such/place/clip.mp4"
    target = tmp_path / "clip.nwb"

    with pytest.warns(UserWarning, match="no such file here") as caught:
        written = posebridge.save(ds, target)

    said = [str(w.message) for w in caught if "no such file here" in str(w.message)]
    assert len(said) == 1
    assert [p.name for p in written] == ["clip_female.nwb", "clip_male.nwb"]
    assert all(str(path) in said[0] for path in written)
    assert not said[0].startswith(f"{target}:")
    assert f"each of the {len(written)} files" in said[0]


def test_the_missing_video_warning_names_the_one_file_of_an_unsplit_save(tmp_path):
    position = np.random.default_rng(6).uniform(0, 100, (4, 2, 3, 2))
    ds = model.from_numpy(position, individual_names=["female", "male"], fps=30)
    ds.attrs["video_path"] = "/no/such/place/clip.mp4"
    target = tmp_path / "clip.nwb"

    with pytest.warns(UserWarning, match="no such file here") as caught:
        written = posebridge.save(ds, target, split_individuals=False)

    said = next(str(w.message) for w in caught if "no such file here" in str(w.message))
    assert written == [target]
    assert said.startswith(f"{target}: ")


def test_a_missing_own_video_of_camera_views_is_left_out_with_a_warning(tmp_path, poses):
    """With camera views, the dataset's own video_path was dropped without a word when
    that file is not here (the views' warning covered only an existing video)."""
    views = ["top", "side"]
    ds = xr.concat([poses, poses], dim=xr.DataArray(views, dims="view"))
    ds.attrs["video_path"] = "/no/such/place/cam.mp4"
    target = tmp_path / "views.nwb"

    with pytest.warns(UserWarning, match="is not linked as a source video") as caught:
        (path,) = posebridge.save(ds, target)

    said = [str(w.message) for w in caught if "/no/such/place/cam.mp4" in str(w.message)]
    assert len(said) == 1
    assert said[0].startswith(f"{target}: ") and "no such file here" in said[0]
    assert all(repr(view) in said[0] for view in views)
    with h5py.File(path) as h5:
        assert "acquisition" not in h5 or not list(h5["acquisition"])
    assert "video_path" not in posebridge.load(path).attrs
