"""Folders read as one input in a batch: YOLO predictions' labels, TRex, idtracker.ai.

A batch over a folder takes a folder that a format reads as a whole as one job
(never one job per frame file or per individual), leaves out ``.txt`` files that
no format recognises (listed as ignored in its report), and never writes inside
a folder it reads. The inputs are written here as text and numpy arrays.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import posebridge
from posebridge.batch import convert_many, plan_jobs
from posebridge.batch.plan import plan_batch
from posebridge.cli import cli
from posebridge.errors import PoseBridgeError

#: One prediction line: class 0, a box, 2 keypoints (x y conf, as fractions), a track id.
LINE = "0 0.5 0.5 0.2 0.2 0.25 0.5 0.9 0.75 0.25 0.8 {track}\n"
#: What the reader needs that the lines do not hold.
READ = {"kpt_shape": [2, 3], "image_size": [640, 480]}


def _labels(folder: Path, frames: int = 3, stem: str = "clip") -> Path:
    """A labels folder as ``yolo pose track save_txt=True`` leaves it: two tracks a frame."""
    folder.mkdir(parents=True)
    for n in range(1, frames + 1):
        (folder / f"{stem}_{n}.txt").write_text(LINE.format(track=1) + LINE.format(track=2))
    return folder


def _trex(folder: Path, individuals: int = 2) -> Path:
    """A TRex ``data`` folder: one ``.npz`` per individual."""
    folder.mkdir(parents=True)
    frames = np.arange(4, dtype=np.float32)
    for i in range(individuals):
        np.savez(
            folder / f"video_fish{i}.npz",
            frame=frames,
            time=frames * np.float32(0.04),
            missing=np.zeros(4, dtype=np.float32),
            **{"X#wcentroid": frames + 10 * i, "Y#wcentroid": frames + 100},
        )
    return folder


def _file_contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_a_labels_folder_is_one_job_read_as_one_dataset(tmp_path):
    labels = _labels(tmp_path / "data" / "session1" / "runs" / "labels")
    report = convert_many(tmp_path / "data", tmp_path / "out", to="nc", read_options=READ, jobs=1)
    assert report.counts == {"ok": 1, "failed": 0, "skipped": 0}, report.table()
    (result,) = report.results
    assert result.source == str(labels.absolute())
    assert result.input_bytes == sum(p.stat().st_size for p in labels.iterdir())
    # named after the folder, in the same subfolder under the output folder
    assert Path(result.target) == tmp_path / "out" / "session1" / "runs" / "labels.nc"
    ds = posebridge.load(result.target)
    assert ds.sizes["time"] == 3 and ds.sizes["individual"] == 2
    # x = 0.25 and 0.75 of the 640-pixel width, y = 0.5 and 0.25 of the 480-pixel height
    np.testing.assert_allclose(ds.position.values[:, :, 0, 0], [[160, 240]] * 3)
    np.testing.assert_allclose(ds.position.values[:, :, 1, 0], [[480, 120]] * 3)


def test_the_labels_folder_given_itself_is_one_job_named_beside_it(tmp_path):
    labels = _labels(tmp_path / "labels")
    (job,) = plan_jobs(labels, None, to="nc")
    assert job.source == str(labels.absolute()) and job.from_format == "yolo-predictions"
    assert Path(job.target) == tmp_path / "labels.nc"


def test_txt_files_no_format_recognises_are_ignored_and_listed_in_every_report(tmp_path):
    root = tmp_path / "data"
    _labels(root / "session1" / "labels")
    (root / "notes.txt").write_text("mouse 3 was tired\n")
    (root / "session1" / "README.txt").write_text("predictions of clip.mp4\n")
    report_path = tmp_path / "report.json"
    report = convert_many(
        root, tmp_path / "out", to="nc", read_options=READ, jobs=1, report=report_path
    )
    assert report.counts == {"ok": 1, "failed": 0, "skipped": 0}, report.table()
    ignored = [
        str((root / "notes.txt").absolute()),
        str((root / "session1/README.txt").absolute()),
    ]
    assert report.ignored == ignored
    assert report.table().splitlines()[-1].startswith("ignored 2 file(s)")
    assert "notes.txt, README.txt" in report.table().splitlines()[-1]
    assert json.loads(report_path.read_text())["ignored"] == ignored
    # the JSON report with its ignored files is the batch's own: a second run resumes
    again = convert_many(
        root, tmp_path / "out", to="nc", read_options=READ, jobs=1, report=report_path
    )
    assert again.counts == {"ok": 0, "failed": 0, "skipped": 1}
    csv_report = tmp_path / "report.csv"
    again.write(csv_report)
    with open(csv_report, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["status"] for r in rows] == ["skipped", "ignored", "ignored"]
    assert [r["source"] for r in rows[1:]] == ignored


def test_a_batch_of_nothing_but_notes_says_which_files_it_left_out(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here yet\n")
    with pytest.raises(PoseBridgeError, match=r"no input files.*1 file\(s\).*notes\.txt"):
        plan_jobs(tmp_path, tmp_path / "out", to="nc")


def test_a_labels_folder_with_a_readme_is_one_job_that_says_what_is_wrong(tmp_path):
    labels = _labels(tmp_path / "data" / "labels")
    (labels / "README.txt").write_text("predictions of clip.mp4\n")  # sorted first
    plan = plan_batch(tmp_path / "data", tmp_path / "out", to="nc")
    (job,) = plan.jobs
    assert job.source == str(labels.absolute()) and plan.ignored == []
    report = convert_many(tmp_path / "data", tmp_path / "out", to="nc", read_options=READ, jobs=1)
    (result,) = report.results
    assert result.status == "failed" and "README.txt" in result.error


def test_a_trex_folder_is_one_job_holding_every_individual(tmp_path):
    data = _trex(tmp_path / "video" / "data")
    report = convert_many(tmp_path / "video", tmp_path / "out", to="nc", jobs=1)
    assert report.counts == {"ok": 1, "failed": 0, "skipped": 0}, report.table()
    (result,) = report.results
    assert result.source == str(data.absolute())
    ds = posebridge.load(result.target)
    assert ds.individual.values.tolist() == ["fish0", "fish1"]
    np.testing.assert_allclose(ds.position.values[:, 0, 0, 1], np.arange(4) + 10)


def test_an_idtracker_csv_folder_is_one_job_and_its_csv_not_another(tmp_path):
    folder = tmp_path / "session" / "trajectories_csv"
    folder.mkdir(parents=True)
    (folder / "trajectories.csv").write_text("time,x1,y1,x2,y2\n0,1,2,3,4\n0.5,5,6,7,8\n")
    (job,) = plan_jobs(tmp_path / "session", tmp_path / "out", to="nc")
    assert job.source == str(folder.absolute()) and job.from_format == "idtracker"


def test_a_file_in_a_subfolder_is_converted_beside_it_without_an_output_folder(tmp_path):
    sub = tmp_path / "data" / "mouse1"
    sub.mkdir(parents=True)
    posebridge.save(posebridge.from_numpy(np.ones((3, 2, 1, 1))), sub / "a.nc")
    _labels(tmp_path / "data" / "mouse2" / "labels")
    targets = sorted(Path(j.target) for j in plan_jobs(tmp_path / "data", None, to="slp"))
    assert targets == [sub / "a.slp", tmp_path / "data" / "mouse2" / "labels.slp"]


def test_an_output_inside_a_folder_read_fails_its_job_and_leaves_the_folder_alone(tmp_path):
    labels = _labels(tmp_path / "data" / "labels")
    before = _file_contents(labels)
    (job,) = plan_jobs(tmp_path / "data", labels, to="yolo-predictions", template="{stem}")
    assert job.error.startswith(f"{job.target}: is inside the folder {labels.absolute()}")
    report = convert_many(
        tmp_path / "data",
        labels,
        to="yolo-predictions",
        template="{stem}",
        read_options=READ,
        overwrite=True,
        jobs=1,
    )
    assert report.counts["failed"] == 1
    assert _file_contents(labels) == before


def test_a_pose_file_beside_a_trex_file_says_to_give_an_output_folder(tmp_path):
    """Its row failed as 'inside the folder read as the input' and no more: the folder holding
    one TRex file is one input, so the other files' outputs beside them are refused."""
    data = _trex(tmp_path / "data", individuals=1)
    posebridge.save(posebridge.from_numpy(np.ones((3, 2, 1, 1))), data / "mouse.h5")
    before = _file_contents(data)
    jobs = {Path(j.source).name: j for j in plan_jobs(data, None, to="nc")}
    assert jobs["data"].error == ""
    said = jobs["mouse.h5"].error
    assert said.startswith(f"{data.absolute() / 'mouse.nc'}: is inside the folder")
    assert "give the batch an output folder outside it (--out, out=)" in said
    report = convert_many(data, tmp_path / "out", to="nc", jobs=1)  # as it says: both converted
    assert report.counts == {"ok": 2, "failed": 0, "skipped": 0}, report.table()
    assert _file_contents(data) == before


def test_a_report_inside_a_folder_read_is_refused_before_any_job(tmp_path):
    labels = _labels(tmp_path / "data" / "labels")
    before = _file_contents(labels)
    with pytest.raises(PoseBridgeError, match="is inside the folder"):
        convert_many(tmp_path / "data", tmp_path / "out", to="nc", report=labels / "r.json")
    assert _file_contents(labels) == before
    assert not (tmp_path / "out").exists()


def test_the_batch_command_prints_the_files_it_left_out(tmp_path):
    root = tmp_path / "data"
    _labels(root / "labels")
    (root / "notes.txt").write_text("mouse 3 was tired\n")
    options = ["--read-option", "kpt_shape=[2, 3]", "--read-option", "image_size=[640, 480]"]
    out = str(tmp_path / "out")
    result = CliRunner().invoke(
        cli, ["batch", str(root), "--out", out, "--to", "nc", "-j", "1", "-q", *options]
    )
    assert result.exit_code == 0, result.output
    assert "1 input(s): 1 ok, 0 failed, 0 skipped" in result.stdout
    assert "ignored 1 file(s) that no format recognises by content" in result.stdout
    assert "notes.txt" in result.stdout


def test_a_yolo_datasets_label_files_are_read_through_its_yaml_not_as_predictions(tmp_path):
    """The label folder of a YOLO dataset written by posebridge (no images) became a
    yolo-predictions job that failed at the first visibility flag 2."""
    from posebridge import labels

    (tmp_path / "dataset").mkdir()
    points = np.random.default_rng(0).random((4, 2, 3, 1)) * 50
    annotated = labels.from_numpy(points, image_path=[f"v/img{i}.png" for i in range(4)])
    posebridge.save(annotated, tmp_path / "dataset" / "data.yaml", image_size=(100, 100))
    assert list((tmp_path / "dataset").rglob("*.txt"))  # the label files are there
    plan = plan_batch(tmp_path / "dataset", tmp_path / "out", to="nc")
    assert [Path(job.source).name for job in plan.jobs] == ["data.yaml"]
    assert plan.ignored == []


def test_label_files_beside_an_images_folder_are_a_datasets_not_predictions(tmp_path):
    """Ultralytics finds an image's labels by replacing 'images' with 'labels' in its path;
    such a folder is a dataset's even when its data.yaml is not in the batch."""
    from PIL import Image

    (tmp_path / "images" / "train").mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(tmp_path / "images" / "train" / "a.png")
    (tmp_path / "labels" / "train").mkdir(parents=True)
    (tmp_path / "labels" / "train" / "a.txt").write_text("0 0.5 0.5 0.2 0.2 0.25 0.5 2\n")
    other = posebridge.from_numpy(np.zeros((2, 2, 1, 1)))
    posebridge.save(other, tmp_path / "poses.nc")
    plan = plan_batch(tmp_path, tmp_path / "out", to="dlc")
    assert [Path(job.source).name for job in plan.jobs] == ["poses.nc"]
    assert plan.ignored == []


def _dlc_poses(keypoints: list[str], frames: int, seed: int):
    rng = np.random.default_rng(seed)
    return posebridge.from_numpy(
        rng.uniform(0, 100, (frames, 2, len(keypoints), 1)),
        rng.uniform(0, 1, (frames, len(keypoints), 1)),
        keypoint_names=keypoints,
        source_software="DeepLabCut",
    )


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_file_of_the_folder_named_as_an_output_but_not_its_conversion_is_left_alone(
    tmp_path, overwrite
):
    """x.h5 and the user's x.csv (another video's, other keypoints) in one folder, converted
    to .csv beside them: x.csv was taken for x.h5's earlier output, so x.h5 was reported
    skipped, x.csv was never converted, and with overwrite x.csv was replaced."""
    posebridge.save(_dlc_poses(["snout", "ear", "tail"], 20, 1), tmp_path / "x.h5", "dlc")
    posebridge.save(_dlc_poses(["head", "tail"], 12, 2), tmp_path / "x.csv", "dlc")
    before = (tmp_path / "x.csv").read_bytes()
    report = convert_many(tmp_path, to="lp", jobs=1, progress=False, overwrite=overwrite)
    (result,) = report.results
    assert (Path(result.source).name, result.status) == ("x.h5", "failed")
    assert "x.csv: is this input's output name" in result.error
    assert "['head', 'tail'] are not the input's ['snout', 'ear', 'tail']" in result.error
    assert (tmp_path / "x.csv").read_bytes() == before


def test_a_batch_run_again_beside_its_outputs_still_skips_them(tmp_path):
    """The check above reads the earlier output's keypoints: its own are the input's."""
    posebridge.save(_dlc_poses(["snout", "ear", "tail"], 20, 1), tmp_path / "x.h5", "dlc")
    assert convert_many(tmp_path, to="lp", jobs=1, progress=False).ok
    again = convert_many(tmp_path, to="lp", jobs=1, progress=False)
    assert [(Path(r.source).name, r.status) for r in again.results] == [("x.h5", "skipped")]
    redone = convert_many(tmp_path, to="lp", jobs=1, progress=False, overwrite=True)
    assert [(Path(r.source).name, r.status) for r in redone.results] == [("x.h5", "ok")]


def test_an_output_of_another_format_with_the_same_ending_is_not_taken_as_finished(tmp_path):
    """A batch to Label Studio after one to COCO (both .json) reported every input skipped,
    leaving the COCO files; DeepLabCut's and LightningPose's .csv stand in for each other."""
    (tmp_path / "in").mkdir()
    posebridge.save(_dlc_poses(["snout", "tail"], 6, 1), tmp_path / "in" / "s1.h5", "dlc")
    out = tmp_path / "out"
    sized = {"write_options": {"image_size": [640, 480]}, "jobs": 1, "progress": False}
    assert convert_many(tmp_path / "in", out, to="coco", **sized).ok
    before = (out / "s1.json").read_bytes()
    (result,) = convert_many(tmp_path / "in", out, to="labelstudio", **sized).results
    assert result.status == "failed"
    assert "is not a Label Studio output (its content is COCO keypoints)" in result.error
    assert (out / "s1.json").read_bytes() == before
    posebridge.save(posebridge.load(tmp_path / "in" / "s1.h5"), out / "s1.csv", "dlc")
    (family,) = convert_many(tmp_path / "in", out, to="lp", jobs=1, progress=False).results
    assert family.status == "skipped"  # a DeepLabCut .csv where LightningPose's is asked for


def test_a_glob_reads_the_folders_it_matches_as_folders_given(tmp_path):
    """'data/*' dropped the folders it matched (a TRex folder read as one input, a
    subfolder of files) without a word; a glob of only such a folder said 'No file
    matches'."""
    data = tmp_path / "data"
    (data / "m1").mkdir(parents=True)
    ds = posebridge.from_numpy(np.ones((3, 2, 1, 1)), individual_names=["a"], fps=10)
    posebridge.save(ds, data / "top.nc")
    posebridge.save(ds, data / "m1" / "inner.nc")
    _trex(data / "m2")
    by_glob = plan_jobs(str(data / "*"), tmp_path / "out", to="netcdf")
    by_name = plan_jobs([data / "m1", data / "m2", data / "top.nc"], tmp_path / "out", to="netcdf")
    assert sorted(Path(j.source).name for j in by_glob) == ["inner.nc", "m2", "top.nc"]
    assert sorted(j.source for j in by_glob) == sorted(j.source for j in by_name)
    only = plan_jobs(str(data / "m*"), tmp_path / "out", to="netcdf")
    assert sorted(Path(j.source).name for j in only) == ["inner.nc", "m2"]


def test_linked_folders_are_walked_once_and_a_dangling_link_fails_its_own_row(tmp_path):
    """A linked subfolder and a link to a missing file were dropped without a word (a
    glob over the same tree took the linked folder's files)."""
    ds = posebridge.from_numpy(np.ones((3, 2, 1, 1)), individual_names=["a"], fps=10)
    top, elsewhere = tmp_path / "top", tmp_path / "elsewhere"
    top.mkdir()
    elsewhere.mkdir()
    posebridge.save(ds, top / "a.nc")
    posebridge.save(ds, elsewhere / "b.nc")
    (top / "linked").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "back").symlink_to(top, target_is_directory=True)  # a loop
    (top / "dangling.nc").symlink_to(top / "missing.nc")
    report = convert_many(top, tmp_path / "out", to="dlc", jobs=1)
    rows = {Path(r.source).name: r.status for r in report.results}
    assert rows == {"a.nc": "ok", "b.nc": "ok", "dangling.nc": "failed"}
    (failed,) = report.failed
    assert "missing.nc" in failed.error


def test_a_glob_over_a_yolo_dataset_gives_its_data_yaml_once_and_never_its_label_files(tmp_path):
    """'cow/*' made each split's labels folder a YOLO-predictions input (three outputs
    named labels.nc, two of them clashing), and 'r/**' also made every label file an
    input: a dataset's files were converted up to three ways."""
    import shutil

    from _corpus import CORPUS, MISSING

    dataset = CORPUS / "yolo_pose" / "cow.v1i.yolov8"
    if not dataset.is_dir():
        pytest.skip(MISSING)
    shutil.copytree(dataset, tmp_path / "r" / "cow")  # its images are not in the corpus
    for pattern in ("r/cow/*", "r/**", "r/*"):
        plan = plan_batch(str(tmp_path / pattern), tmp_path / "out", to="netcdf")
        inputs = [Path(job.source).relative_to(tmp_path).as_posix() for job in plan.jobs]
        assert inputs == ["r/cow/data.yaml"], pattern
        assert [job.error for job in plan.jobs] == [""], pattern
        left_out = {Path(p).name for p in plan.ignored}
        assert {"README.dataset.txt", "README.roboflow.txt"} <= left_out, pattern


def test_the_folders_a_glob_matches_keep_their_names_in_the_outputs(tmp_path):
    """'g/mouse*' matching mouse1/ and mouse2/, each holding video.nc, named both outputs
    out/video.nc: the second failed as a clash with the first."""
    ds = posebridge.from_numpy(np.ones((3, 2, 1, 1)), individual_names=["a"], fps=10)
    for mouse in ("mouse1", "mouse2"):
        (tmp_path / "g" / mouse).mkdir(parents=True)
        posebridge.save(ds, tmp_path / "g" / mouse / "video.nc")

    jobs = plan_jobs(str(tmp_path / "g" / "mouse*"), tmp_path / "out", to="dlc")

    assert [job.error for job in jobs] == ["", ""]
    targets = sorted(Path(job.target).relative_to(tmp_path).as_posix() for job in jobs)
    assert targets == ["out/mouse1/video.h5", "out/mouse2/video.h5"]
    beside = plan_jobs(str(tmp_path / "g" / "mouse*"), None, to="dlc")  # no output folder
    assert sorted(Path(job.target).parent.name for job in beside) == ["mouse1", "mouse2"]


@pytest.mark.parametrize("pattern", ["g/mouse*/*.nc", "g/**/*.nc"])
def test_files_a_glob_matches_in_several_folders_keep_their_folders_in_the_outputs(
    tmp_path, pattern
):
    """g/mouse*/*.nc matching mouse1/video.nc and mouse2/video.nc named both outputs
    out/video.csv: the second failed as a clash with the first."""
    ds = posebridge.from_numpy(np.ones((3, 2, 1, 1)), individual_names=["a"], fps=10)
    for mouse in ("mouse1", "mouse2"):
        (tmp_path / "g" / mouse).mkdir(parents=True)
        posebridge.save(ds, tmp_path / "g" / mouse / "video.nc")

    jobs = plan_jobs(str(tmp_path / pattern), tmp_path / "out", to="dlc")

    assert [job.error for job in jobs] == ["", ""]
    targets = sorted(Path(job.target).relative_to(tmp_path).as_posix() for job in jobs)
    assert targets == ["out/mouse1/video.h5", "out/mouse2/video.h5"]


def test_a_glob_whose_matches_are_all_left_out_says_so_not_that_nothing_matched(tmp_path):
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "README.txt").write_text("notes on the sessions\n")

    with pytest.raises(PoseBridgeError) as error:
        plan_jobs(str(tmp_path / "g" / "*.txt"), tmp_path / "out", to="dlc")

    said = str(error.value)
    assert "No file matches" not in said
    assert "no file it matches is a pose file" in said and "README.txt" in said


@pytest.mark.parametrize("pattern", ["m2/**", "m2/**/"])
def test_a_glob_whose_fixed_part_is_a_folder_read_as_one_input_plans_that_folder(
    tmp_path, pattern
):
    """'m2/**' over a TRex folder matched the folder itself, and planning it raised a
    raw ValueError ('.' is not in the subpath of 'm2'): no job ran."""
    _trex(tmp_path / "m2")

    jobs = plan_jobs(str(tmp_path / pattern), tmp_path / "out", to="netcdf")

    assert [(Path(job.source).name, job.error) for job in jobs] == [("m2", "")]
    by_name = plan_jobs(tmp_path / "m2", tmp_path / "out", to="netcdf")
    assert [job.target for job in jobs] == [job.target for job in by_name]


def test_a_bare_double_star_inside_a_folder_read_as_one_input_plans_that_folder(
    tmp_path, monkeypatch
):
    """'**' from inside a TRex folder planned each fish's .npz as its own job (one
    dataset of two fish became two outputs of one), where './**' planned the folder."""
    _trex(tmp_path / "m2")
    monkeypatch.chdir(tmp_path / "m2")

    bare = plan_jobs("**", tmp_path / "out", to="netcdf")
    dotted = plan_jobs("./**", tmp_path / "out", to="netcdf")

    assert [(Path(job.source).resolve(), job.error) for job in bare] == [(tmp_path / "m2", "")]
    assert [job.target for job in bare] == [job.target for job in dotted]


def _poses_file(path: Path, fmt: str) -> None:
    rng = np.random.default_rng(8)
    ds = posebridge.from_numpy(
        rng.uniform(0, 100, size=(5, 2, 2, 1)),
        rng.uniform(0, 1, size=(5, 2, 1)),
        keypoint_names=["nose", "tail"],
        source_software="DeepLabCut",
    )
    posebridge.save(ds, path, fmt)


def test_a_folder_file_already_in_the_target_format_is_listed_as_ignored_saying_why(tmp_path):
    """Beside its input (no --out) its output would be the file itself."""
    _poses_file(tmp_path / "b.h5", "dlc")
    _poses_file(tmp_path / "a.nc", "netcdf")
    report = convert_many(tmp_path, to="dlc", jobs=1, progress=False)
    assert [Path(r.source).name for r in report.results] == ["a.nc"]
    assert report.ok, report.table()
    assert report.ignored == [str(tmp_path / "b.h5")]
    assert (
        "already a file of the format asked for" in report.ignored_reasons[str(tmp_path / "b.h5")]
    )
    assert "ignored b.h5: already a file of the format asked for" in report.table()


def test_a_folder_whose_only_file_is_in_the_target_format_has_no_input(tmp_path):
    _poses_file(tmp_path / "b.h5", "dlc")
    data = (tmp_path / "b.h5").read_bytes()
    with pytest.raises(PoseBridgeError, match=r"no input files.*Left out b\.h5: already a file"):
        convert_many(tmp_path, to="dlc", jobs=1, progress=False)
    assert (tmp_path / "b.h5").read_bytes() == data


def test_an_existing_file_whose_name_looks_like_a_glob_is_that_file(tmp_path):
    """h154: 'session[1].csv' was read as a pattern: it converted session1.csv, another
    recording, and said ok; without a look-alike it said that nothing matched."""
    meant = tmp_path / "session[1].csv"
    other = tmp_path / "session1.csv"
    for path, seed in ((meant, 0), (other, 1)):
        posebridge.save(
            posebridge.from_numpy(
                np.random.default_rng(seed).random((4, 2, 2, 1)) * 100,
                keypoint_names=["nose", "tail"],
                individual_names=["individual_0"],
            ),
            path,
            "dlc",
        )

    jobs = plan_jobs(str(meant), tmp_path / "out", to="netcdf")
    assert [(Path(job.source).name, job.error) for job in jobs] == [("session[1].csv", "")]

    other.unlink()
    jobs = plan_jobs(str(meant), tmp_path / "out", to="netcdf")
    assert [(Path(job.source).name, job.error) for job in jobs] == [("session[1].csv", "")]

    report = convert_many([str(meant)], tmp_path / "out", to="netcdf", jobs=1, progress=False)
    assert [r.status for r in report.results] == ["ok"]
    written = posebridge.load(tmp_path / "out" / "session[1].nc")
    np.testing.assert_array_equal(written.position.values, posebridge.load(meant).position.values)
