"""The ``demo`` command: the bundled samples written to every format and read back."""

from __future__ import annotations

import tempfile
import textwrap
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from posebridge import sample_data
from posebridge.cli._base import (
    FilePath,
    _one_line,
    cli,
    shown_path,
)
from posebridge.errors import PoseBridgeError

if TYPE_CHECKING:  # imported where used: the command line starts without xarray
    import xarray as xr

    from posebridge import registry

# --------------------------------------------------------------------------
# demo


def _demo_target(fmt: registry.Format, folder: Path, stem: str, kind: str) -> Path:
    """Where the demo writes a format: ``<folder>/<format>/<stem><ending>``.

    The ending is the shortest of the format's endings that names it alone
    (``.slp`` rather than ``.pkg.slp``; ``.analysis.h5``, since ``.h5`` means
    DeepLabCut), else its first.
    """
    from posebridge import registry

    return folder / fmt.name / f"{stem}{registry.own_ending(fmt, kind)}"


def _make_demo_folder(folder: Path) -> None:
    """Make a folder of the demo's output, or say in one line why it cannot be made."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # a read-only or immutable --out, a file in the way
        raise PoseBridgeError(
            f"{folder}: cannot make the demo's folder there ({error.strerror or error}); "
            "give --out a folder you can write."
        ) from None


def _prediction_options(ds: xr.Dataset, stem: str) -> dict[str, Any]:
    """What YOLO predictions' reader needs that the files do not hold: the number of
    keypoints (x, y, confidence each), the frame size, and which video's frames."""
    options: dict[str, Any] = {"kpt_shape": [int(ds.sizes["keypoint"]), 3], "stem": stem}
    if "video_width" in ds.attrs and "video_height" in ds.attrs:
        options["image_size"] = (int(ds.attrs["video_width"]), int(ds.attrs["video_height"]))
    return options


def _frame_size(ds: xr.Dataset, _stem: str = "") -> dict[str, Any]:
    """The frame size of the sample's video, for the formats that normalise points by
    each image's size (YOLO, Label Studio) when the rows have no image of their own."""
    if "video_width" in ds.attrs and "video_height" in ds.attrs:
        return {"image_size": (int(ds.attrs["video_width"]), int(ds.attrs["video_height"]))}
    return {}


#: Formats whose files do not say everything needed to read them: the options the demo
#: reads them back with, from the dataset written and the stem of its files.
_READ_BACK_OPTIONS: dict[str, Callable[[xr.Dataset, str], dict[str, Any]]] = {
    "yolo-predictions": _prediction_options,
    "yolo": _frame_size,  # the label files of video frames, without the frames' images
}

#: Formats told the frame size to write the samples: YOLO takes the video's size by itself
#: but warns that reading back needs it, which the demo does (Label Studio keeps the size).
_WRITE_OPTIONS: dict[str, Callable[[xr.Dataset], dict[str, Any]]] = {
    "yolo": _frame_size,
}


def _read_back(
    fmt: registry.Format, stem: str, written: list[Path], folder: Path
) -> list[tuple[Path, str, int]]:
    """What to read back of the files written: ``(path, shown as, bytes)`` each.

    A format read from a folder that wrote several files (YOLO predictions: one
    per frame) is read back once, from their folder: they are one dataset. So is
    a YOLO dataset, from its data.yaml (the first file written).
    """
    if fmt.name == "yolo" and len(written) > 1:
        size = sum(p.stat().st_size for p in written)
        return [(written[0], f"{written[0].relative_to(folder)} ({len(written)} files)", size)]
    if fmt.sniff_folder is not None and len(written) > 1:
        where = written[0].parent
        if all(p.parent == where for p in written):
            shown = f"{where.relative_to(folder)}/{stem}_*{written[0].suffix}"
            size = sum(p.stat().st_size for p in written)
            return [(where, f"{shown} ({len(written)} files)", size)]
    return [(p, str(p.relative_to(folder)), p.stat().st_size) for p in written]


def _demo_one(
    ds: xr.Dataset, stem: str, folder: Path, overwrite: bool, debug: bool
) -> tuple[list[tuple[str, str, str, str]], int]:
    """The demo's rows for one sample (one per file, or per folder read back as one), and
    the number of files written."""
    from posebridge import api, registry
    from posebridge._report import round_trip_report, size_text

    rows = []
    files = 0
    kind = ds.attrs["ds_type"]
    for fmt in registry.all_formats():
        if not fmt.writes or kind not in fmt.kinds:
            continue
        target = _demo_target(fmt, folder, stem, kind)
        _make_demo_folder(target.parent)
        try:
            write_options = _WRITE_OPTIONS.get(fmt.name, lambda _ds: {})(ds)
            written = api.save(ds, target, fmt.name, overwrite=overwrite, **write_options)
        except Exception as error:
            if debug:
                click.echo(traceback.format_exc().rstrip(), err=True)
            label = "not written" if isinstance(error, PoseBridgeError) else "FAILED to write"
            rows.append((fmt.name, "-", "-", f"{label}: {_one_line(error)}"))
            continue
        files += len(written)
        options = _READ_BACK_OPTIONS.get(fmt.name, lambda _ds, _stem: {})(ds, stem)
        for path, where, size in _read_back(fmt, stem, written, folder):
            try:
                found = registry.detect(path)
                back = api.load(path, found, **(options if found == fmt.name else {}))
                result = f"read back as {found}: {round_trip_report(ds, back)}"
            except Exception as error:
                if debug:
                    click.echo(traceback.format_exc().rstrip(), err=True)
                result = f"FAILED to read back: {_one_line(error)}"
            rows.append((fmt.name, where, size_text(size), result))
    return rows, files


@cli.command()
@click.option(
    "--out",
    type=FilePath(file_okay=False, path_type=Path, output=True),
    help="Folder for the files (default: a new temporary folder).",
)
@click.option(
    "--sample",
    "samples",
    multiple=True,
    type=click.Choice(list(sample_data.BUNDLED)),
    help="Bundled sample to convert (repeatable; default: all).",
)
@click.option("--overwrite", is_flag=True, help="Replace files left in --out by an earlier run.")
@click.pass_context
def demo(ctx: click.Context, out: Path | None, samples: tuple[str, ...], overwrite: bool) -> None:
    """Convert the bundled samples to every format that can write them, read each back."""
    from posebridge._report import columns, summary

    debug = bool(ctx.find_root().params.get("debug"))
    if out is None:
        folder = Path(tempfile.mkdtemp(prefix="posebridge-demo-"))
    else:
        folder = out
        _make_demo_folder(folder)
    click.echo(f"posebridge demo: writing into {shown_path(folder)}")
    written = 0
    for name in samples or list(sample_data.BUNDLED):
        ds = sample_data.fetch_dataset(name)
        click.echo(f"\n{name}: {summary(ds)}")
        rows, files = _demo_one(ds, Path(name).stem, folder, overwrite, debug)
        written += files
        click.echo(textwrap.indent(columns(("format", "file", "size", "check"), rows), "  "))
    click.echo(f"\n{written} files written in {shown_path(folder)}")
    if not written:
        raise PoseBridgeError("the demo could not write any file; see the lines above.")
