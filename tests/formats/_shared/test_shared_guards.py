"""formats/_shared/guards: what a writer refuses before it opens a file."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import posebridge
from posebridge.errors import SchemaError


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("gt.json", {"format": "coco", "kind": "ground_truth", "image_size": (64, 48)}),
        ("results.json", {"format": "coco", "kind": "results", "image_size": (64, 48)}),
        ("data.yaml", {"format": "yolo", "image_size": (64, 48)}),
        ("tasks.json", {"format": "labelstudio", "image_size": (64, 48)}),
        ("p.analysis.csv", {"format": "sleap-csv"}),
    ],
)
def test_writers_that_list_instances_refuse_a_dataset_without_a_point(tmp_path, name, options):
    """COCO and YOLO crashed (numpy reshape), Label Studio and SLEAP CSV wrote files that
    their own readers refuse."""
    ds = posebridge.from_numpy(np.full((3, 2, 2, 2), np.nan), fps=30)
    with pytest.raises(SchemaError, match=r"holds no point \(every position is NaN\)"):
        posebridge.save(ds, tmp_path / name, **options)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["gt.json", "data.yaml", "tasks.json", "p.analysis.csv"])
def test_one_point_is_enough_and_reads_back(tmp_path, name):
    position = np.full((3, 2, 2, 2), np.nan)
    position[1, :, 0, 1] = [12.0, 20.0]
    ds = posebridge.from_numpy(position, fps=30)
    fmt = {"gt.json": "coco", "data.yaml": "yolo", "tasks.json": "labelstudio"}.get(name)
    sized = {"image_size": (64, 48)} if fmt else {}
    posebridge.save(ds, tmp_path / name, format=fmt, **sized)
    back = posebridge.load(tmp_path / name, **({"image_size": (64, 48)} if fmt == "yolo" else {}))
    assert np.isfinite(back.position.values).sum() == 2
    np.testing.assert_allclose(np.nanmax(back.position.values, axis=(0, 2, 3)), [12.0, 20.0])


@pytest.mark.parametrize("writer", ["coco", "yolo", "yolo-predictions", "labelstudio"])
@pytest.mark.parametrize("unit", ["centimeters", "mm", "Millimetres"])
def test_image_formats_refuse_positions_in_a_unit_of_length(writer, unit, tmp_path):
    """TRex's centimetres went to YOLO, COCO and Label Studio as pixels (x 8.7-28.7 cm became
    a YOLO point at 0.0085 of the image) without a word."""
    ds = posebridge.from_numpy(np.full((2, 2, 1, 1), 20.0), keypoint_names=["centroid"])
    ds = ds.assign_attrs(space_unit=unit, video_width=640, video_height=480)
    fmt = posebridge.registry.get(writer)
    target = tmp_path / f"out{fmt.extensions[0]}"
    with pytest.raises(SchemaError, match=rf"in {unit} \(space_unit\).*to pixels"):
        posebridge.save(ds, target, format=writer, image_size=(640, 480))
    assert list(tmp_path.iterdir()) == []
    pixels = ds.assign_attrs(space_unit="pixels")
    assert posebridge.save(pixels, target, format=writer, image_size=(640, 480))


def _viewed(views, ds_type="poses"):
    if ds_type == "bboxes":
        from posebridge.model import bboxes_from_numpy

        ds = bboxes_from_numpy(np.ones((3, 2, 1)), np.ones((3, 2, 1)))
    else:
        ds = posebridge.from_numpy(np.ones((3, 2, 1, 1)))
    return ds.expand_dims(view=list(views), axis=-1)


def test_one_camera_view_is_named_singular_with_advice_that_drops_it():
    from posebridge.formats._shared.guards import refuse_views

    with pytest.raises(SchemaError) as caught:
        refuse_views(_viewed(["side"]), "DeepLabCut")
    message = str(caught.value)
    assert "1 camera view (side)" in message
    assert "1 camera views" not in message
    assert "ds.isel(view=0, drop=True)" in message
    assert "one view at a time" not in message


def test_camera_views_of_boxes_are_pointed_at_netcdf_only_not_nwb():
    from posebridge.formats._shared.guards import refuse_views

    for views in (["left", "right"], ["side"]):
        with pytest.raises(SchemaError) as boxes:
            refuse_views(_viewed(views, "bboxes"), "VIA tracks")
        assert "netCDF (.nc)" in str(boxes.value)
        assert "NWB" not in str(boxes.value)  # NWB holds no boxes
        with pytest.raises(SchemaError, match="NWB or netCDF"):
            refuse_views(_viewed(views), "DeepLabCut")  # poses: both hold them


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("gt.json", {"format": "coco", "kind": "ground_truth"}),
        ("results.json", {"format": "coco", "kind": "results"}),
        ("data.yaml", {"format": "yolo", "image_size": (200, 200)}),
        ("tasks.json", {"format": "labelstudio", "image_size": (200, 200)}),
    ],
)
def test_image_formats_refuse_video_frames_of_unknown_number(tmp_path, name, options):
    """Time in seconds with no fps and no frame numbers was written by COCO and YOLO as
    images (ids, names) of frames 0..n-1 without a word: the times were lost. They now
    refuse, as SLEAP and YOLO predictions do, and Label Studio with the same message
    (it had its own, naming neither the rows nor the file); rows with their image_path
    need no frame number and are written."""
    position = np.arange(4 * 2 * 2, dtype=np.float64).reshape(4, 2, 2, 1) + 10.0
    ds = posebridge.from_numpy(position, np.full((4, 2, 1), 0.5))
    seconds = [0.0, 0.5, 1.7, 100.25]
    ds = ds.assign_coords(time=seconds).assign_attrs(time_unit="seconds")
    with pytest.raises(SchemaError, match=r"time is in seconds with no fps and no 'frame'") as no:
        posebridge.save(ds, tmp_path / name, **options)
    assert str(no.value).startswith(f"{tmp_path / name}: ")  # the file not written
    assert f"the frame of {len(seconds)} row(s) (row 0 first)" in str(no.value)
    assert list(tmp_path.iterdir()) == []
    images = [f"images/train/img{i}.png" for i in range(4)]
    named = ds.assign_coords(image_path=("time", images))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scores or image paths not written: not the point
        assert posebridge.save(named, tmp_path / name, **options)


@pytest.mark.parametrize("fmt", ["coco", "labelstudio"])
def test_a_kind_the_writer_does_not_know_is_refused_before_the_input_is_read(tmp_path, fmt):
    """kind='labels' was refused only once the whole input was read (its declared kind
    is text, so the option check passed it), and the error named no option (h120)."""
    source = tmp_path / "in.csv"
    posebridge.save(posebridge.from_numpy(np.ones((20, 2, 2, 1))), source)
    source.write_bytes(source.read_bytes()[:-15])  # a damaged end: reading it fails
    with pytest.raises(posebridge.PoseBridgeError, match="kind must be one of") as caught:
        posebridge.convert(source, tmp_path / "out.json", fmt, kind="labels")
    assert "option kind=" in str(caught.value)
    assert not (tmp_path / "out.json").exists()


def test_a_name_the_nwb_writer_refuses_names_the_file(tmp_path):
    # h140 item 4: refuse_bad_names / refuse_nul name the file written when given it
    from posebridge.formats._shared.guards import refuse_bad_names, refuse_nul

    ds = posebridge.from_numpy(np.zeros((2, 2, 2, 1)), keypoint_names=["a\x00z", "b"])
    path = tmp_path / "nul.nwb"
    with pytest.raises(SchemaError, match=r"nul\.nwb: keypoint name 'a\\x00z' holds"):
        refuse_bad_names(ds, "NWB", forbidden="\x00", path=path)
    with pytest.raises(SchemaError, match=r"nul\.nwb: keypoint holds a text with a NUL"):
        refuse_nul(ds, "NWB", path)
    with pytest.raises(SchemaError, match=r"^" + str(path).replace(".", r"\.") + ": keypoint"):
        posebridge.save(ds, path)
    assert not path.exists()


def _command_line(*args: object) -> tuple[int, str]:
    """Exit code and output (on one line) of the command line run with ``args``."""
    from click.testing import CliRunner

    from posebridge.cli import cli

    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, " ".join(result.output.split())


def test_the_frame_rate_advice_suits_convert_and_the_command_line(tmp_path):
    """A dataset in seconds with no fps, written to COCO: the advice was
    ``posebridge.model.with_fps(ds, fps)``, which a ``convert``/``load`` caller has no
    dataset for. Python now names ``fps=`` of load/convert too; the command line says
    ``--fps``, which works as spelled."""
    from posebridge.errors import worded_for_command_line
    from posebridge.formats._shared.guards import refuse_unknown_frames

    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)) * 10, keypoint_names=["nose", "tail"])
    ds = ds.assign_coords(time=[0.5, 1.0, 1.5]).assign_attrs(time_unit="seconds")
    with pytest.raises(SchemaError) as refused:
        refuse_unknown_frames(ds, "COCO")
    assert "pass fps= (e.g. fps=30) to posebridge.load, convert or convert_many" in str(
        refused.value
    )
    assert "posebridge.model.with_fps(ds, 30)" in str(refused.value)
    assert "Give the frame rate with --fps (e.g. --fps 30), or write a format that keeps " in (
        worded_for_command_line(refused.value)
    )
    source = tmp_path / "seconds.nc"
    posebridge.save(ds, source)
    code, said = _command_line("convert", source, tmp_path / "a.json", "--to", "coco")
    assert code != 0 and "with_fps" not in said and "fps=" not in said, said
    assert "Give the frame rate with --fps (e.g. --fps 30), or write a format" in said, said
    code, said = _command_line(
        "convert", source, tmp_path / "b.json", "--to", "coco", "--fps", "30"
    )
    assert code == 0 and (tmp_path / "b.json").is_file(), said


def test_views_and_units_advice_on_the_command_line(tmp_path):
    """Several camera views, or positions in centimetres, written to a one-camera or
    pixel format: the command line, which cannot pick a view or change units, was told
    ``ds.sel(view=...)`` / ``ds.attrs['space_unit'] = ...``; it is now told what it can
    do (write netCDF or NWB), and that the rest takes Python."""
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)) * 10, keypoint_names=["nose", "tail"])
    views = tmp_path / "views.nc"
    posebridge.save(ds.expand_dims(view=["left", "right"], axis=-1), views)
    code, said = _command_line("convert", views, tmp_path / "a.csv", "--to", "dlc")
    assert code != 0, said
    assert said.endswith(
        "write all of them to NWB or netCDF (.nc); the command line writes every view, and "
        "picking one takes Python (e.g. ds.sel(view='left'))."
    ), said
    code, said = _command_line("convert", views, tmp_path / "all.nc")
    assert code == 0, said
    with pytest.raises(SchemaError, match=r"write one view at a time, e.g. ds.sel\(view="):
        posebridge.save(posebridge.load(views), tmp_path / "b.csv", "dlc")

    centimetres = tmp_path / "cm.nc"
    posebridge.save(ds.assign_attrs(space_unit="centimeters"), centimetres)
    code, said = _command_line("convert", centimetres, tmp_path / "a.json", "--to", "coco")
    assert code != 0, said
    assert said.endswith(
        "The command line does not change units: write a format that keeps them (netCDF "
        "(.nc), NWB), or convert them to pixels in Python first (ds['position'] / "
        "cm_per_pixel, then ds.attrs['space_unit'] = 'pixels')."
    ), said
    code, said = _command_line("convert", centimetres, tmp_path / "kept.nc")
    assert code == 0, said
    with pytest.raises(SchemaError, match=r"and set ds.attrs\['space_unit'\] = 'pixels'"):
        posebridge.save(posebridge.load(centimetres), tmp_path / "b.json", "coco")


def test_text_refusals_say_on_the_command_line_to_fix_the_source():
    """Text a format cannot hold (not UTF-8, a NUL): the command line is told to fix the
    source, not ``ds.assign_coords(...)`` alone."""
    from posebridge.errors import worded_for_command_line
    from posebridge.formats._shared.guards import refuse_nul, refuse_text_not_utf8

    ds = posebridge.from_numpy(np.zeros((1, 2, 1, 1)), individual_names=["m\x001"])
    with pytest.raises(SchemaError) as refused:
        refuse_nul(ds, "NWB", "a.nwb")
    assert str(refused.value).endswith("remove it, e.g. with ds.assign_coords(...).")
    assert worded_for_command_line(refused.value).endswith(
        "remove it from the source file (or in Python, e.g. with ds.assign_coords(...))."
    )
    with pytest.raises(SchemaError) as refused:
        refuse_nul(posebridge.from_numpy(np.zeros((1, 2, 1, 1))).assign_attrs(note="a\x00"), "NWB")
    assert worded_for_command_line(refused.value).endswith(
        "remove it from the source file (or in Python, from .attrs)."
    )
    bad = posebridge.from_numpy(np.zeros((1, 2, 1, 1)), individual_names=["m\udce91"])
    with pytest.raises(SchemaError) as refused:
        refuse_text_not_utf8(bad, "NWB")
    assert str(refused.value).endswith("with ds.assign_coords(...).")
    assert worded_for_command_line(refused.value).endswith(
        "rename the file it comes from, or replace the text in Python "
        "(posebridge.model.labels.utf8_text spells those bytes %XX)."
    )


def test_a_name_to_rename_is_renamed_in_the_source_on_the_command_line(tmp_path):
    """A name a format cannot hold: the command line was told ``ds.assign_coords(...)``."""
    ds = posebridge.from_numpy(np.zeros((1, 2, 1, 1)), keypoint_names=["a\nb"])
    source = tmp_path / "newline.nc"
    posebridge.save(ds, source)
    code, said = _command_line("convert", source, tmp_path / "a.csv", "--to", "dlc")
    assert code != 0, said
    assert said.endswith(
        "rename it in the source file (or in Python, e.g. ds.assign_coords(keypoint=[...]))."
    ), said
    with pytest.raises(
        SchemaError, match=r"rename it, e.g. ds.assign_coords\(keypoint=\[\.\.\.\]\)\.$"
    ):
        posebridge.save(ds, tmp_path / "b.csv", "dlc")


@pytest.mark.parametrize(
    ("to", "name", "what"),
    [
        ("coco", "out.json", "COCO keypoints"),
        ("sleap-csv", "out.analysis.csv", "SLEAP CSV poses"),
        ("yolo-predictions", "clip_1.txt", "YOLO pose predictions"),
        ("yolo", "data.yaml", "YOLO pose labels"),
        ("labelstudio", "tasks.json", "Label Studio keypoints"),
    ],
)
def test_3d_poses_to_a_2d_format_are_refused_with_what_the_command_line_can_do(
    tmp_path, to, name, what
):
    """h156: 3D poses to COCO (or a SLEAP CSV) were told to 'select x, y and one view first',
    which the command line cannot do, and the SLEAP CSV said it in Python's words."""
    from click.testing import CliRunner

    from posebridge.cli import cli

    source = tmp_path / "three_d.nc"
    posebridge.save(
        posebridge.from_numpy(
            np.random.default_rng(0).random((3, 3, 2, 1)), keypoint_names=["nose", "tail"]
        ),
        source,
    )
    target = tmp_path / name
    result = CliRunner().invoke(cli, ["convert", str(source), str(target), "--to", to])
    said = " ".join(result.output.split())
    assert result.exit_code != 0, said
    assert f"{target}: {what} are 2D (x, y); this dataset has 3 spatial dimension(s)" in said
    assert "write it with --to nwb or --to netcdf" in said and "takes Python" in said, said
    assert not target.exists()

    with pytest.raises(SchemaError, match=r"select x and y first \(ds\.sel\(space="):
        posebridge.save(posebridge.load(source), tmp_path / f"py-{name}", to)
