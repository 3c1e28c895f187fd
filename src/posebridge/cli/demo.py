"""The ``demo`` command: the bundled samples written to every format and read back."""

from __future__ import annotations

import tempfile
import textwrap
import traceback
from pathlib import Path

import click
import xarray as xr

from posebridge import api, registry, sample_data
from posebridge._report import (
    columns,
    round_trip_report,
    size_text,
    summary,
)
from posebridge.cli._base import (
    _one_line,
    cli,
)
from posebridge.errors import PoseBridgeError

# --------------------------------------------------------------------------
# demo


def _demo_target(fmt: registry.Format, folder: Path, stem: str, kind: str) -> Path:
    """Where the demo writes a format: ``<folder>/<format>/<stem><ending>``.

    The ending is the shortest of the format's endings that names it alone
    (``.slp`` rather than ``.pkg.slp``; ``.analysis.h5``, since ``.h5`` means
    DeepLabCut), else its first.
    """
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


def _demo_one(
    ds: xr.Dataset, stem: str, folder: Path, overwrite: bool, debug: bool
) -> list[tuple[str, str, str, str]]:
    rows = []
    kind = ds.attrs["ds_type"]
    for fmt in registry.all_formats():
        if not fmt.writes or kind not in fmt.kinds:
            continue
        target = _demo_target(fmt, folder, stem, kind)
        _make_demo_folder(target.parent)
        try:
            written = api.save(ds, target, fmt.name, overwrite=overwrite)
        except Exception as error:
            if debug:
                click.echo(traceback.format_exc().rstrip(), err=True)
            label = "not written" if isinstance(error, PoseBridgeError) else "FAILED to write"
            rows.append((fmt.name, "-", "-", f"{label}: {_one_line(error)}"))
            continue
        for path in written:
            size = size_text(path.stat().st_size)
            where = str(path.relative_to(folder))
            try:
                found = registry.detect(path)
                back = api.load(path, found)
                result = f"read back as {found}: {round_trip_report(ds, back)}"
            except Exception as error:
                if debug:
                    click.echo(traceback.format_exc().rstrip(), err=True)
                result = f"FAILED to read back: {_one_line(error)}"
            rows.append((fmt.name, where, size, result))
    return rows


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
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
    debug = bool(ctx.find_root().params.get("debug"))
    if out is None:
        folder = Path(tempfile.mkdtemp(prefix="posebridge-demo-"))
    else:
        folder = out
        _make_demo_folder(folder)
    click.echo(f"posebridge demo: writing into {folder}")
    written = 0
    for name in samples or list(sample_data.BUNDLED):
        ds = sample_data.fetch_dataset(name)
        click.echo(f"\n{name}: {summary(ds)}")
        rows = _demo_one(ds, Path(name).stem, folder, overwrite, debug)
        written += sum(row[1] != "-" for row in rows)
        click.echo(textwrap.indent(columns(("format", "file", "size", "check"), rows), "  "))
    click.echo(f"\n{written} files written in {folder}")
    if not written:
        raise PoseBridgeError("the demo could not write any file; see the lines above.")
