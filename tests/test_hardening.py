"""Regression tests of issue 15 (hardening), one or more per finding.

Finding 1 (a failed write never replaces the old file; the error names the
target and the cause), finding 2's writer crashes after a full disk, and
finding 7 (temporaries) are tested for every writer in tests/test_faults.py;
the seeded mutations of corpus files are in tests/test_fuzz.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

import posebridge
from _corpus import corpus_path
from posebridge import model
from posebridge.errors import FormatError, PoseBridgeError, SchemaError


def poses(frames=5, keypoints=3, individuals=1, space=2, seed=0):
    rng = np.random.default_rng(seed)
    return posebridge.from_numpy(
        rng.random((frames, space, keypoints, individuals)) * 100,
        rng.random((frames, keypoints, individuals)),
    )


def run_python(code):
    """Run ``code`` in a fresh interpreter (a crash or a block cannot take the tests down)."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )


# -- 2. crashes -------------------------------------------------------------


def _damage_dimension_list(path):
    """Replace 'position' by a 3-D variable that keeps its 4-entry DIMENSION_LIST."""
    with h5py.File(path, "r+") as h5:
        attrs = dict(h5["position"].attrs)
        data = h5["position"][()]
        del h5["position"]
        damaged = h5.create_dataset("position", data=data[..., 0])
        for key, value in attrs.items():
            damaged.attrs[key] = value


def test_netcdf_with_a_short_variable_is_a_format_error_not_an_abort(tmp_path):
    path = tmp_path / "damaged.nc"
    posebridge.save(poses(), path)
    _damage_dimension_list(path)
    code = (
        "import posebridge, sys\n"
        "try:\n"
        f"    posebridge.load({str(path)!r})\n"
        "except posebridge.errors.FormatError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]  # no abort in HDF5's heap
    assert "damaged.nc" in done.stdout and "DIMENSION_LIST" in done.stdout


# -- 3. sizes taken from file content ----------------------------------------


def test_slp_with_a_huge_video_id_allocates_nothing_large(tmp_path):
    path = tmp_path / "huge_video.slp"
    posebridge.save(poses(), path)
    with h5py.File(path, "r+") as h5:
        frames = h5["frames"][()]
        frames["video"][0] = 2**31 - 5
        h5["frames"][...] = frames
    tracemalloc.start()
    try:
        with pytest.raises(FormatError, match="huge_video.slp.*video"):
            posebridge.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20


def test_analysis_writer_refuses_a_frame_far_away(tmp_path):
    ds = poses(frames=2).assign_coords(time=[0, 2_000_000_000])
    target = tmp_path / "far.analysis.h5"
    with pytest.raises(PoseBridgeError, match=r"far.analysis.h5.*span 2000000001 frames"):
        posebridge.save(ds, target)
    assert list(tmp_path.iterdir()) == []
    posebridge.save(ds, tmp_path / "far.slp")  # .slp keeps only the frames with data
    assert posebridge.load(tmp_path / "far.slp")["time"].values.tolist() == [0, 2_000_000_000]


def test_lp_csv_with_the_largest_frame_index_is_clean(tmp_path):
    source = corpus_path("lp_csv/180607_004.train_frames=75.rng=0.csv")
    lines = source.read_text().split("\n")
    cells = lines[3].split(",")
    cells[0] = str(2**63 - 1)
    lines[3] = ",".join(cells)
    path = tmp_path / source.name
    path.write_text("\n".join(lines))
    try:
        ds = posebridge.load(path)
    except PoseBridgeError as error:
        assert path.name in str(error)
    else:
        assert ds.sizes["time"] == len(pd_rows(source))


def pd_rows(path):
    return [line for line in path.read_text().split("\n")[3:] if line.strip()]


# -- 4. hangs ----------------------------------------------------------------


def test_via_row_with_100000_extra_cells_is_refused_quickly(tmp_path):
    source = corpus_path("via_csv/crabs_gt_test.csv")
    lines = source.read_text().split("\n")
    lines[1] += "," * 100_000
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(lines))
    started = time.monotonic()
    with pytest.raises(FormatError, match=r"wide.csv: line 2: has more cells"):
        posebridge.load(path)
    assert time.monotonic() - started < 15


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "poses.csv"
    os.mkfifo(fifo)
    code = (
        "import posebridge\n"
        "for call in (posebridge.load, posebridge.detect):\n"
        "    try:\n"
        f"        call({str(fifo)!r})\n"
        "    except posebridge.PoseBridgeError as error:\n"
        "        print(error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("not a regular file") == 2


# -- 5. raw errors ------------------------------------------------------------


def test_netcdf_variable_of_the_wrong_length_names_the_file(tmp_path):
    path = tmp_path / "wrong_length.nc"
    posebridge.save(poses(frames=5), path)
    with h5py.File(path, "r+") as h5:
        attrs = dict(h5["confidence"].attrs)
        data = h5["confidence"][()]
        del h5["confidence"]
        longer = h5.create_dataset("confidence", data=np.concatenate([data, data]))
        for key, value in attrs.items():
            longer.attrs[key] = value
    with pytest.raises(FormatError, match="wrong_length.nc"):
        posebridge.load(path)


def test_schema_error_after_reading_names_the_file(tmp_path):
    path = tmp_path / "no_space.nc"
    ds = poses()
    ds.isel(space=0).to_netcdf(path, engine="h5netcdf")  # position without 'space'
    with pytest.raises(SchemaError, match="no_space.nc"):
        posebridge.load(path)


@pytest.mark.filterwarnings("ignore:.*hold no pose samples")
@pytest.mark.parametrize("name", ["out.csv", "out.h5"])
def test_zero_frame_nwb_corpus_file_converts_to_dlc_with_a_clear_refusal(tmp_path, name):
    ds = posebridge.load(corpus_path("nwb/0.1.1_poseestimation_no_cameras.nwb"))
    with pytest.raises(SchemaError, match=f"{name}.*no time steps"):
        posebridge.save(ds, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("dlc", "z.csv"),
        ("lp", "z.csv"),
        ("nwb", "z.nwb"),
        ("anipose", "z.csv"),
        # found by converting every corpus file to every writer: a raw numpy ValueError
        ("coco", "z.json"),
        ("yolo", "data.yaml"),
        ("labelstudio", "z.json"),
        ("sleap-csv", "z.analysis.csv"),  # wrote a file that did not read back
    ],
)
def test_zero_frame_datasets_are_refused_before_writing(tmp_path, fmt, name):
    ds = poses(frames=0, space=3 if fmt == "anipose" else 2)
    with pytest.raises(SchemaError, match="no time steps"):
        posebridge.save(ds, tmp_path / name, fmt)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["coco", "yolo", "labelstudio", "sleap-csv"])
@pytest.mark.parametrize("empty", ["keypoints", "individuals"])
def test_datasets_without_keypoints_or_individuals_are_refused_by_image_and_csv_writers(
    tmp_path, fmt, empty
):
    ds = poses(keypoints=0) if empty == "keypoints" else poses(individuals=0)
    with pytest.raises(SchemaError, match=f"no {empty}"):
        names = {"yolo": "data.yaml", "sleap-csv": "z.analysis.csv"}
        posebridge.save(ds, tmp_path / names.get(fmt, "z.json"), fmt)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("empty", ["frames", "keypoints", "individuals"])
@pytest.mark.parametrize("name", ["z.analysis.h5", "z.slp", "z.nc"])
def test_formats_that_keep_empty_datasets_read_them_back_equal(tmp_path, name, empty):
    """An analysis .h5 without keypoints or tracks read back with number-typed (float)
    empty coordinates, which the model refuses: the file did not read back."""
    sizes = {"frames": 5, "keypoints": 3, "individuals": 2} | {empty: 0}
    ds = poses(**sizes)
    assert ds.keypoint.dtype.kind == ds.individual.dtype.kind == "U"  # even when empty
    posebridge.save(ds, tmp_path / name)
    back = posebridge.load(tmp_path / name)
    assert dict(back.sizes) == dict(ds.sizes)
    assert back.keypoint.values.tolist() == ds.keypoint.values.tolist()
    assert back.individual.values.tolist() == ds.individual.values.tolist()


def test_zero_frame_via_is_refused(tmp_path):
    ds = model.bboxes_from_numpy(np.zeros((0, 2, 1)), np.ones((0, 2, 1)))
    with pytest.raises(SchemaError, match="no time steps"):
        posebridge.save(ds, tmp_path / "z.csv", "via")


# -- 6. files we could not read back -----------------------------------------


def test_negative_dlc_likelihood_is_refused(tmp_path):
    ds = poses()
    ds["confidence"][0, 0, 0] = -0.5
    with pytest.raises(SchemaError, match="negative confidence"):
        posebridge.save(ds, tmp_path / "neg.csv", "dlc")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("fmt", "name", "keypoint"),
    [
        ("anipose", "a.csv", "nose,tip"),
        ("anipose", "a.csv", 'say "hi"'),
        ("dlc", "d.csv", "nose\ntip"),
        ("dlc", "d.h5", ""),
        ("lp", "l.csv", " "),
        ("anipose", "a.csv", ""),
        ("nwb", "n.nwb", ""),
        ("nwb", "n.nwb", "no\x00se"),
        ("sleap-csv", "s.csv", "no\x00se"),
        ("sleap-csv", "s.csv", ""),
    ],
)
def test_names_a_format_cannot_hold_are_refused(tmp_path, fmt, name, keypoint):
    ds = poses(space=3 if fmt == "anipose" else 2, keypoints=2)
    ds = ds.assign_coords(keypoint=["a", keypoint])
    with pytest.raises(SchemaError, match="keypoint name"):
        posebridge.save(ds, tmp_path / name, fmt)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["n.nwb", "n.nc", "s.csv", "d.csv"])
def test_an_individual_name_with_nul_is_refused_not_cut_or_crashed(tmp_path, name):
    """h5py refuses NUL in variable-length strings; SLEAP CSV read it back cut at the NUL."""
    ds = poses(individuals=2).assign_coords(individual=["m\x001", "m2"])
    with pytest.raises(SchemaError, match=r"NUL|\\x00") as refused:
        posebridge.save(ds, tmp_path / name, "sleap-csv" if name == "s.csv" else None)
    assert str(tmp_path / name) in str(refused.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["n.nwb", "n.nc"])
def test_an_attribute_with_nul_is_refused_by_hdf5_text_writers(tmp_path, name):
    ds = poses().assign_attrs(note="a\x00b")
    with pytest.raises(SchemaError, match="attribute 'note' of the dataset holds a NUL"):
        posebridge.save(ds, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("attrs", [{"video_path": "v\x00.mp4"}, {"source_file": "a\x00.slp"}])
def test_an_analysis_file_refuses_a_path_to_store_that_holds_nul(tmp_path, attrs):
    """Found by the fuzzer: a forged video_path read from a file, written back raw."""
    ds = poses().assign_attrs(**attrs)
    with pytest.raises(SchemaError, match=r"holds a NUL character"):
        posebridge.save(ds, tmp_path / "n.analysis.h5")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.filterwarnings("ignore:.*the dataset has no frame rate")
def test_texts_without_nul_are_written_by_hdf5_text_writers(tmp_path):
    ds = poses(individuals=2).assign_coords(individual=["m1", "m2"]).assign_attrs(note="ok")
    for name in ("n.nc", "n.nwb"):
        assert posebridge.save(ds, tmp_path / name)


def test_empty_individual_name_is_refused_by_dlc(tmp_path):
    ds = poses(individuals=2).assign_coords(individual=["a", ""])
    with pytest.raises(SchemaError, match="individual name is empty"):
        posebridge.save(ds, tmp_path / "d.csv", "dlc")


def test_via_with_every_box_missing_is_refused(tmp_path):
    ds = model.bboxes_from_numpy(np.full((3, 2, 1), np.nan), np.full((3, 2, 1), np.nan))
    with pytest.raises(SchemaError, match="Every box"):
        posebridge.save(ds, tmp_path / "v.csv", "via")


def test_via_box_whose_corner_overflows_is_refused(tmp_path):
    big = np.finfo(np.float64).max
    ds = model.bboxes_from_numpy(np.full((2, 2, 1), -big), np.full((2, 2, 1), big))
    with pytest.raises(SchemaError, match="overflows"):
        posebridge.save(ds, tmp_path / "v.csv", "via")


@pytest.mark.parametrize("name", ["p.slp", "p.csv", "p.nc"])
def test_infinite_positions_are_refused_by_validate(tmp_path, name):
    ds = poses()
    ds["position"][1, 0, 0, 0] = np.inf
    with pytest.raises(SchemaError, match="infinite"):
        posebridge.save(ds, tmp_path / name)
    with pytest.raises(SchemaError, match="infinite"):
        model.validate(ds)


def test_zero_frame_slp_and_netcdf_read_back_equal(tmp_path):
    ds = poses(frames=0, keypoints=2, individuals=2)
    for name in ("z.slp", "z.nc"):
        posebridge.save(ds, tmp_path / name)
        back = posebridge.load(tmp_path / name)
        assert dict(back.sizes) == dict(ds.sizes)


# -- 8. trust ------------------------------------------------------------------


def test_nwb_append_of_an_individual_already_in_the_file_is_refused(tmp_path):
    path = tmp_path / "session.nwb"
    ds = model.with_fps(poses(individuals=1), 30.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(ds, path)
    before = path.read_bytes()
    with pytest.raises(PoseBridgeError, match="already holds pose data of 'id_0'"):
        posebridge.save(ds, path, append=True)
    assert path.read_bytes() == before


def _two_animal_nwb(path, times=(0.0, 0.1, 0.25, 0.3)):
    ds = poses(frames=len(times), keypoints=2, individuals=2)
    ds = ds.assign_coords(individual=["mouse_a", "mouse_b"], time=list(times))
    ds.attrs["time_unit"] = "seconds"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(ds, path, split_individuals=False)
    return ds


def test_forged_individual_tag_is_not_trusted(tmp_path):
    path = tmp_path / "forged.nwb"
    _two_animal_nwb(path)
    with h5py.File(path, "r+") as h5:  # the second container claims the first animal
        node = "processing/behavior/PoseEstimation_mouse_b/description"
        text = h5[node][()].decode()
        del h5[node]
        h5[node] = text.replace("2/2: mouse_b", "1/2: mouse_a")
    with pytest.warns(UserWarning, match="tags .* contradict each other"):
        ds = posebridge.load(path)
    assert sorted(ds["individual"].values.tolist()) == ["mouse_a", "mouse_b"]


def test_untouched_tags_are_trusted_without_warning(tmp_path):
    path = tmp_path / "fine.nwb"
    _two_animal_nwb(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        ds = posebridge.load(path)
    assert ds["individual"].values.tolist() == ["mouse_a", "mouse_b"]


def test_nwb_timestamps_out_of_order_are_reported(tmp_path):
    path = tmp_path / "unsorted.nwb"
    _two_animal_nwb(path)
    with h5py.File(path, "r+") as h5:  # the series share (link) one timestamps array
        stamps = h5["processing/behavior/PoseEstimation_mouse_a/keypoint_0/timestamps"]
        stamps[...] = stamps[()][[1, 0, 2, 3]]
    with pytest.warns(UserWarning, match="not in increasing order"):
        ds = posebridge.load(path)
    assert np.all(np.diff(ds["time"].values) > 0)


def test_analysis_file_declaring_a_huge_array_is_refused_before_allocating(tmp_path):
    path = tmp_path / "huge.analysis.h5"
    posebridge.save(poses(frames=3, individuals=2), path)
    with h5py.File(path, "r+") as h5:  # same data, a shape that claims 10^9 frames
        attrs = dict(h5["tracks"].attrs)
        shape = h5["tracks"].shape
        del h5["tracks"]
        tracks = h5.create_dataset("tracks", shape=(*shape[:3], 10**9), dtype="f8", chunks=True)
        for key, value in attrs.items():
            tracks.attrs[key] = value
    tracemalloc.start()
    try:
        with pytest.raises(FormatError, match=r"huge.analysis.h5: dataset /tracks declares"):
            posebridge.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20


# -- line endings and encodings of CSV files ----------------------------------------------

CSV_FILES = (
    "dlc_csv/DLC_sample_poses.csv",
    "lp_csv/180607_004.train_frames=75.rng=0.csv",
    "sleap_csv/minimal_instance.000_centered_pair_low_quality.analysis.csv",
    "via_csv/crabs_gt_test.csv",
)


@pytest.mark.parametrize("relative", CSV_FILES)
def test_a_csv_whose_lines_end_in_a_carriage_return_alone_is_refused_saying_so(tmp_path, relative):
    """Found by saving corpus CSVs with old-Mac line endings (Excel's 'CSV (Macintosh)'):
    DLC/LP raised a raw csv.Error ('posebridge failed while reading it'), SLEAP CSV and VIA
    counted the whole file as one line."""
    source = corpus_path(relative)
    damaged = tmp_path / source.name
    damaged.write_bytes(source.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    with pytest.raises(FormatError, match="carriage return alone"):
        posebridge.load(damaged)


@pytest.mark.parametrize("relative", CSV_FILES)
def test_windows_line_endings_and_a_byte_order_mark_read_the_same(tmp_path, relative):
    source = corpus_path(relative)
    text = source.read_bytes().replace(b"\r\n", b"\n")
    as_written = posebridge.load(source)
    for name, data in (("crlf", text.replace(b"\n", b"\r\n")), ("bom", b"\xef\xbb\xbf" + text)):
        variant = tmp_path / name / source.name
        variant.parent.mkdir()
        variant.write_bytes(data)
        xr.testing.assert_equal(posebridge.load(variant).drop_attrs(), as_written.drop_attrs())


def test_a_utf16_csv_is_refused_saying_to_save_it_as_utf8(tmp_path):
    source = corpus_path(CSV_FILES[0])
    damaged = tmp_path / source.name
    damaged.write_bytes(source.read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(PoseBridgeError, match="UTF-16 text.*save it as UTF-8"):
        posebridge.load(damaged)


# --------------------------------------------------------------------------
# file names whose bytes are not UTF-8 (Python spells such a byte as a lone surrogate)

NOT_UTF8 = b"caf\xe9"  # "café" in Latin-1: the byte 0xe9 alone is not UTF-8


def _named_not_utf8(folder, suffix: bytes):
    """A path in ``folder`` whose name holds a byte that is not UTF-8 (skip if refused)."""
    raw = os.path.join(os.fsencode(folder), NOT_UTF8 + suffix)
    try:
        with open(raw, "wb"):
            pass
    except OSError as error:  # file systems that insist on UTF-8 names (APFS)
        pytest.skip(f"this file system refuses a name that is not UTF-8 ({error})")
    os.remove(raw)
    return raw


def test_a_source_named_in_latin1_converts_its_name_spelled_with_escapes(tmp_path):
    raw = _named_not_utf8(tmp_path, b"DLC.csv")
    Path(os.fsdecode(raw)).write_bytes(corpus_path("dlc_csv/DLC_sample_poses.csv").read_bytes())
    ds = posebridge.load(os.fsdecode(raw))
    assert ds.attrs["source_file"] == os.fsdecode(raw)  # the real name: it finds the file
    for name in ("out.nc", "out.h5"):
        posebridge.save(ds, tmp_path / name)
    with xr.open_dataset(tmp_path / "out.nc", engine="h5netcdf") as stored:
        assert stored.attrs["source_file"].endswith("caf%E9DLC.csv")  # valid UTF-8, not cut
        np.testing.assert_array_equal(stored.position.values, ds.position.values)


def test_image_names_in_latin1_read_and_writers_that_store_text_refuse_them(tmp_path):
    from PIL import Image

    root = tmp_path / "yolo"
    (root / "images" / "train").mkdir(parents=True)
    (root / "labels" / "train").mkdir(parents=True)
    (root / "data.yaml").write_text("train: images/train\nkpt_shape: [1, 3]\nnames: {0: mouse}\n")
    image = _named_not_utf8(root / "images" / "train", b".png")
    Image.new("RGB", (40, 20)).save(image, format="PNG")
    label = os.path.join(os.fsencode(root / "labels" / "train"), NOT_UTF8 + b".txt")
    Path(os.fsdecode(label)).write_bytes(b"0 0.5 0.5 0.5 0.5 0.25 0.5 2\n")
    ds = posebridge.load(root / "data.yaml")
    assert ds.image_path.values.tolist() == [os.fsdecode(b"images/train/" + NOT_UTF8 + b".png")]
    np.testing.assert_allclose(ds.position.values.ravel(), [10.0, 10.0])
    for name in ("gt.json", "labels.slp", "labels.nc"):
        with pytest.raises(SchemaError, match=r"image_path holds a text that is not UTF-8"):
            posebridge.save(ds, tmp_path / name)
        assert not (tmp_path / name).exists()


def test_individuals_named_from_latin1_file_names_are_valid_text(tmp_path):
    folder = tmp_path / "trex"
    folder.mkdir()
    raw = _named_not_utf8(folder, b"_fish0.npz")
    Path(os.fsdecode(raw)).write_bytes(corpus_path("trex/test_fish0.npz").read_bytes())
    ds = posebridge.load(folder, format="trex")
    assert ds.individual.values.tolist() == ["fish0"]
    os.rename(raw, os.path.join(os.fsencode(folder), b"fish_" + NOT_UTF8 + b".npz"))
    ds = posebridge.load(folder, format="trex")
    assert ds.individual.values.tolist() == ["fish_caf%E9"]
    posebridge.save(ds, tmp_path / "fish.nc")  # a name any UTF-8 file holds
    assert posebridge.load(tmp_path / "fish.nc").individual.values.tolist() == ["fish_caf%E9"]


@pytest.mark.parametrize("fmt", ["labelstudio", "coco"])
def test_image_names_made_from_a_latin1_video_name_are_valid_text(tmp_path, fmt):
    video = os.fsdecode(b"/videos/" + NOT_UTF8 + b".mp4")
    ds = poses().assign_attrs(video_path=video)
    options = {"kind": "ground_truth"} if fmt == "coco" else {}
    posebridge.save(ds, tmp_path / "out.json", fmt, image_size=(64, 48), **options)
    text = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    names = (
        [t["data"]["image"] for t in text]
        if fmt == "labelstudio"
        else [i["file_name"] for i in text["images"]]
    )
    assert names[:2] == ["caf%E9/img00000.png", "caf%E9/img00001.png"]


@pytest.mark.parametrize("given", ["attribute", "option"])
def test_a_latin1_video_name_is_stored_in_slp_as_valid_text(tmp_path, given):
    import sleap_io as sio

    video = os.fsdecode(b"/videos/" + NOT_UTF8 + b".mp4")
    if given == "attribute":
        posebridge.save(poses().assign_attrs(video_path=video), tmp_path / "out.slp")
    else:
        posebridge.save(poses(), tmp_path / "out.slp", video_path=video)
    with h5py.File(tmp_path / "out.slp") as stored:
        row = stored["videos_json"][0]
    row.decode("utf-8")  # the stored JSON is UTF-8 text with no escaped lone surrogate
    assert b"\\udc" not in row
    assert sio.load_slp(str(tmp_path / "out.slp")).videos[0].filename == "/videos/caf%E9.mp4"
    assert posebridge.load(tmp_path / "out.slp").attrs["video_path"] == "/videos/caf%E9.mp4"


@pytest.mark.parametrize("suffix", [b".nwb", b".slp", b".nc", b".csv", b".h5", b".analysis.h5"])
def test_a_target_named_in_latin1_is_written_atomically(tmp_path, suffix):
    target = _named_not_utf8(tmp_path, suffix)
    ds = poses()
    (written,) = posebridge.save(ds, os.fsdecode(target))
    assert os.fsencode(written) == target  # the very name asked for
    back = posebridge.load(written)
    np.testing.assert_allclose(back.position.values, ds.position.values)
    posebridge.save(ds, written, overwrite=True)  # PyTables wrote "caf?" for a temporary
    assert os.listdir(tmp_path) == [os.fsdecode(os.path.basename(target))]  # no temporary left


def test_a_batch_over_latin1_names_converts_them_and_reports_their_bytes(tmp_path):
    source = _named_not_utf8(tmp_path, b"DLC.csv")
    Path(os.fsdecode(source)).write_bytes(corpus_path("dlc_csv/DLC_sample_poses.csv").read_bytes())
    report = posebridge.convert_many(
        [tmp_path], tmp_path / "out", to="netcdf", jobs=1, progress=False,
        report=tmp_path / "report.csv",
    )  # fmt: skip
    assert report.counts == {"ok": 1, "failed": 0, "skipped": 0}
    assert os.listdir(os.fsencode(tmp_path / "out")) == [NOT_UTF8 + b"DLC.nc"]
    rows = (tmp_path / "report.csv").read_bytes().splitlines()
    assert rows[1].startswith(source + b",")  # the file's own bytes, not an escape


# --------------------------------------------------------------------------
# nesting deeper than Python's recursion limit (decoders recurse once per level)

DEEP = 100_000


@pytest.mark.parametrize(
    "fmt, text",
    [
        ("coco", '{"images": [], "annotations": [{"image_id": 1, "keypoints": '
         + "[" * DEEP + "]" * DEEP + "}], \"categories\": []}"),
        ("labelstudio", '[{"data": {"image": "a.png"}, "annotations": [{"result": '
         + "[" * DEEP + "]" * DEEP + "}]}]"),
    ],
)  # fmt: skip
def test_json_nested_too_deeply_is_a_format_error(tmp_path, fmt, text):
    path = tmp_path / "deep.json"
    path.write_text(text)
    with pytest.raises(FormatError, match="nests lists or objects too deeply"):
        posebridge.load(path, format=fmt)


def test_yaml_nested_too_deeply_is_refused_naming_the_file(tmp_path):
    (tmp_path / "data.yaml").write_text("kpt_shape: [1, 3]\nnames: " + "[" * DEEP + "]" * DEEP)
    with pytest.raises(FormatError, match="nests lists or objects too deeply"):
        posebridge.load(tmp_path / "data.yaml")
    manifest = tmp_path / "sessions.yaml"
    manifest.write_text("- " + "[" * DEEP + "]" * DEEP)
    with pytest.raises(PoseBridgeError, match="sessions.yaml: nests lists or mappings too"):
        posebridge.convert_many(None, tmp_path / "out", manifest=manifest, to="nwb", jobs=1)
    from posebridge.io.nwb import NWBFileSaveConfig

    metadata = tmp_path / "metadata.yaml"
    metadata.write_text("subject: " + "[" * DEEP + "]" * DEEP)
    with pytest.raises(PoseBridgeError, match="metadata.yaml: nests lists or mappings too"):
        NWBFileSaveConfig.from_yaml(metadata)


def test_nwb_metadata_aliases_are_bounded_by_what_they_expand_to(tmp_path):
    """Nine lists of nine aliases, a few hundred bytes, were 387 million keywords walked."""
    from posebridge.io.nwb import NWBFileSaveConfig

    levels = ['experimenter: &a0 ["lol", "lol", "lol"]']
    levels += [f"k{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    metadata = tmp_path / "metadata.yaml"
    metadata.write_text("nwbfile:\n  " + "\n  ".join(levels) + "\n")
    # k10 (line 12) stands for 265,720 values: past the bound there, before k11 is read
    with pytest.raises(PoseBridgeError, match=r"metadata\.yaml: line 12: its aliases .* expand"):
        NWBFileSaveConfig.from_yaml(metadata)
    endless = tmp_path / "endless.yaml"
    endless.write_text("nwbfile:\n  keywords: &words\n    - mouse\n    - *words\n")
    with pytest.raises(PoseBridgeError, match=r"endless\.yaml: line 4: the alias \*words"):
        NWBFileSaveConfig.from_yaml(endless)
    shared = tmp_path / "shared.yaml"  # one subject's fields for two individuals
    shared.write_text(
        "subject:\n  mouse1: &mouse {species: Mus musculus, sex: F, age: P90D}\n"
        "  mouse2: *mouse\nnwbfile:\n  keywords: &words [mouse, reaching]\n"
        "  experimenter: *words\n"
    )
    config = NWBFileSaveConfig.from_yaml(shared)
    assert config.subject_kwargs["mouse2"] == config.subject_kwargs["mouse1"]
    assert config.subject_kwargs["mouse2"]["species"] == "Mus musculus"
    plain = tmp_path / "plain.yaml"
    plain.write_text("nwbfile:\n  experimenter: [Ana, Ben]\n  keywords: [mouse]\n")
    config = NWBFileSaveConfig.from_yaml(plain)
    assert config.nwbfile_kwargs["experimenter"] == ["Ana", "Ben"]
