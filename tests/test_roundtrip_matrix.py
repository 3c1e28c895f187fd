"""One round-trip matrix: every writer -> its reader, then -> every other writer -> reader.

The sources are built from the registry (:func:`posebridge.registry.all_formats`): every
format that writes, once per file ending it writes and per kind of data it holds
(``Format.kinds``: poses, bboxes, labels). Each source writes a drawn dataset with
:func:`posebridge.save`, reads it back with :func:`posebridge.load`, and hands what it read
to every other writer that holds the same kind (a chain A -> B), so each source file is
written once per example. What every format of a chain holds must survive: positions
exactly (NaN where NaN), confidence, keypoint and individual names and order, frame
numbers, fps.

What a format cannot hold is declared in ONE table, :data:`CAPABILITIES`, with a reason
for every limit. A format missing from the table fails its tests: a new family joins the
matrix by declaring itself there.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import posebridge
from posebridge import model
from posebridge.errors import PoseBridgeError
from posebridge.model import labels
from posebridge.registry import all_formats
from strategies import NAME_CHARS, bboxes_datasets, labels_datasets, poses_datasets

# --------------------------------------------------------------------------
# what each format holds


@dataclass(frozen=True)
class Holds:
    """What a format holds of a dataset, beyond the kinds the registry lists.

    Every field that differs from its default is a limit and needs a reason in ``why``
    (checked by :func:`test_every_limit_has_a_reason`).
    """

    suffixes: tuple[str, ...]
    """File endings written, one source each (a format whose endings are separate layouts,
    like DeepLabCut's .h5 and .csv, lists each)."""
    space: tuple[int, ...] = (2, 3)
    """Spatial dimensions it stores."""
    max_individuals: int | None = None
    """Most individuals per file (``None``: any number)."""
    individual_names: bool = True
    """Individual names come back (``False``: default names, in the same order)."""
    lone_individual_name: bool = True
    """The name of a dataset's only individual comes back."""
    individual_order: bool = True
    """Individuals come back in the written order (``False``: in another order, under
    their names)."""
    fps: bool = False
    """The frame rate is stored (time comes back in seconds)."""
    frames: tuple[str, ...] = ()
    """How the frames that come back may differ from those written (none: exactly the
    same): ``adds_empty``, frames without any point are added (a file's frame axis runs
    over every frame); ``drops_empty``, a frame without any point or box does not come
    back (it has no row)."""
    decimals: int | None = None
    """Numbers are stored rounded to this many decimals (``None``: exactly)."""
    magnitude: float | None = None
    """Largest coordinate magnitude drawn (``None``: any finite float64)."""
    lost_when_empty: tuple[str, ...] = ()
    """Kinds of data in which an individual without any point (or box) in the whole
    dataset is not stored."""
    missing_confidence: bool = True
    """The confidence of a missing point (or box) is stored."""
    name_chars_lost: str = ""
    """Characters that keypoint or individual names cannot hold in this format."""
    label_rows: bool = True
    """Labels: each row's video and image path come back as written (``False``: rows of
    a video come back as images named after its frames)."""
    write: Mapping[str, Any] = field(default_factory=dict)
    """Options given to :func:`posebridge.save`."""
    read_labels: Mapping[str, Any] = field(default_factory=dict)
    """Options given to :func:`posebridge.load` to read labels back."""
    not_kept: tuple[str, ...] = ()
    """Kinds of data it writes and reads, but whose round trip loses what every format of
    the matrix must keep (keypoint names, frame numbers, row order, missing points): no
    chain starts or ends there (its files still serve the bad-input matrix)."""
    why: Mapping[str, str] = field(default_factory=dict)
    """The reason of every limit, by field name."""


#: What every writing format holds, keyed by format name. A new writing format must be
#: added here (its tests fail until it is), with a reason for each of its limits.
CAPABILITIES: dict[str, Holds] = {
    "dlc": Holds(
        suffixes=(".h5", ".csv"),
        lone_individual_name=False,
        label_rows=False,
        write={"split_individuals": False},
        why={
            "lone_individual_name": "a single-animal DeepLabCut file has no 'individuals' "
            "level: its animal reads back as 'individual_0'",
            "label_rows": "DeepLabCut labels are images: a frame of a video is named "
            "labeled-data/<video stem>/img<frame>.png",
            "write": "one file for all individuals (the default splits by individual)",
        },
    ),
    "lp": Holds(
        suffixes=(".csv",),
        max_individuals=1,
        lone_individual_name=False,
        label_rows=False,
        why={
            "max_individuals": "LightningPose files hold one animal",
            "lone_individual_name": "LightningPose files have no individual names",
            "label_rows": "LightningPose labels are images, as DeepLabCut's",
        },
    ),
    "sleap": Holds(
        suffixes=(".analysis.h5",),
        space=(2,),
        frames=("adds_empty",),
        why={
            "space": "SLEAP analysis files hold x, y",
            "frames": "an analysis file's frame axis is the video's: every frame from the "
            "first to the last is stored",
        },
    ),
    "slp": Holds(
        suffixes=(".slp",),
        space=(2,),
        read_labels={"instances": "user"},
        why={
            "space": "SLEAP .slp files hold x, y",
            "read_labels": "labels without any point have no user instance, and a .slp "
            "without user instances reads as predictions unless asked for labels",
        },
    ),
    "sleap-csv": Holds(
        suffixes=(".analysis.csv",),
        space=(2,),
        frames=("adds_empty", "drops_empty"),
        lost_when_empty=("poses",),
        individual_order=False,
        why={
            "space": "SLEAP's CSV export holds x, y",
            "individual_order": "tracks come back in the order of their first row",
            "frames": "a frame without an instance has no row; reading gives every frame "
            "from 0 to the last row's (all_frames=True), empty where there was no row",
            "lost_when_empty": "a track is known only by its rows",
        },
    ),
    "anipose": Holds(
        suffixes=(".csv",),
        space=(3,),
        max_individuals=1,
        lone_individual_name=False,
        name_chars_lost=",",
        why={
            "name_chars_lost": "BUG (to fix in the anipose family): the writer accepts a "
            "keypoint name with ',' and writes a file its reader refuses",
            "space": "Anipose files hold triangulated 3D points",
            "max_individuals": "an Anipose file holds one animal",
            "lone_individual_name": "an Anipose file has no individual name",
        },
    ),
    "via": Holds(
        suffixes=(".csv",),
        individual_names=False,
        lone_individual_name=False,
        frames=("drops_empty",),
        decimals=6,
        magnitude=1e6,
        lost_when_empty=("bboxes",),
        missing_confidence=False,
        write={"track_ids_from_trailing_numbers": False},
        why={
            "lost_when_empty": "a track is known only by its boxes",
            "missing_confidence": "a missing box has no row, so no confidence",
            "individual_names": "VIA tracks are numbers: individuals come back as id_<n>",
            "lone_individual_name": "VIA tracks are numbers",
            "frames": "VIA has one row per box: an image without a box is not written",
            "decimals": "VIA stores the top-left corner and size rounded to 6 decimals",
            "magnitude": "the top-left corner (centre - size / 2) must stay finite",
            "write": "tracks numbered by position, so that names without digits write",
        },
    ),
    "nwb": Holds(
        suffixes=(".nwb",),
        fps=True,
        lost_when_empty=("labels",),
        name_chars_lost="/",
        write={"split_individuals": False},
        why={
            "name_chars_lost": "NWB object names cannot hold '/': a labels individual "
            "'a/b' comes back as 'a_b'",
            "fps": "NWB stores a rate (or timestamps): a limit lifted, not imposed",
            "lost_when_empty": "a PoseTraining stores the skeleton instances that have "
            "points: an individual never labelled is not stored",
            "write": "one file for all individuals (the default splits by individual)",
        },
    ),
    "coco": Holds(
        suffixes=(".json",),
        space=(2,),
        individual_order=False,
        label_rows=False,
        lost_when_empty=("labels",),
        not_kept=("poses",),
        write={"image_size": (640, 480)},
        why={
            "space": "COCO keypoints are x, y",
            "individual_order": "individuals come back (under their names) in the order "
            "of their first annotation",
            "lost_when_empty": "an annotation is written for an instance with a point: "
            "an individual never labelled is not stored",
            "label_rows": "a COCO image is a file name: a frame of a video is written as "
            "<video stem>/img<frame>.png",
            "not_kept": "poses are COCO results: keypoint names (keypoint_<k>) and frame "
            "numbers (images counted from 0) are not stored",
            "write": "COCO images need a width and height; the examples hold none",
        },
    ),
    "yolo": Holds(
        suffixes=(".yaml",),
        space=(2,),
        not_kept=("poses", "labels"),
        write={"image_size": (640, 480)},
        why={
            "space": "YOLO pose labels are x, y",
            "not_kept": "a YOLO dataset is a folder of label files: rows come back sorted "
            "by path, image paths without their extension, individuals as untracked_<k>, "
            "no confidence; poses lose their frame numbers",
            "write": "YOLO coordinates are normalised by the image size; the examples hold none",
        },
    ),
    "yolo-predictions": Holds(
        suffixes=(".txt",),
        space=(2,),
        not_kept=("poses",),
        write={"image_size": (640, 480)},
        why={
            "space": "YOLO pose predictions are x, y",
            "not_kept": "the file holds no keypoint names (read needs kpt_shape= or "
            "keypoint_names=) nor individual names (tracks come back as track_<id>), a "
            "missing point is 0 0 with a confidence below 0.5, and the numbers are fractions "
            "of the frame size",
            "write": "coordinates are normalised by the frame size; the examples hold none",
        },
    ),
    "labelstudio": Holds(
        suffixes=(".json",),
        space=(2,),
        individual_names=False,
        lone_individual_name=False,
        decimals=12,
        lost_when_empty=("labels",),
        not_kept=("poses", "labels"),
        write={"image_size": (640, 480)},
        why={
            "space": "Label Studio keypoints are x, y",
            "lost_when_empty": "an instance is a rectangle written for an instance with a "
            "point: an individual never labelled is not stored",
            "decimals": "Label Studio stores percents of the image size: x * 100 / width "
            "read back as percent * width / 100 may differ in the last bits",
            "individual_names": "Label Studio has no individual names: instances come "
            "back as untracked_<k>",
            "lone_individual_name": "Label Studio has no individual names",
            "not_kept": "instances are ranked per task (untracked_<k>): an individual "
            "absent from a task shifts the next ones, so identities do not come back; "
            "poses are predictions of tasks, whose frame numbers are not stored",
            "write": "Label Studio stores percents of the image size; the examples hold none",
        },
    ),
    "netcdf": Holds(
        suffixes=(".nc",),
        fps=True,
        why={"fps": "netCDF stores the dataset as it is: a limit lifted, not imposed"},
    ),
}

KINDS = ("poses", "bboxes", "labels")


def holds(name: str) -> Holds:
    """The declared capabilities of a format; fails loudly for an undeclared one."""
    if name not in CAPABILITIES:
        pytest.fail(
            f"format {name!r} writes but is not declared in CAPABILITIES of "
            "tests/test_roundtrip_matrix.py: add what it holds, with a reason per limit."
        )
    return CAPABILITIES[name]


@dataclass(frozen=True)
class Writer:
    """One format writing one file ending, for one kind of data."""

    name: str
    suffix: str
    kind: str

    @property
    def id(self) -> str:
        return f"{self.name}{self.suffix}-{self.kind}"


def writers() -> list[Writer]:
    """Every (format, file ending, kind) the registry can write, in registry order."""
    out = []
    for fmt in all_formats():
        if not fmt.writes:
            continue
        suffixes = CAPABILITIES[fmt.name].suffixes if fmt.name in CAPABILITIES else ("?",)
        for kind in (k for k in KINDS if k in fmt.kinds):
            out.extend(Writer(fmt.name, suffix, kind) for suffix in suffixes)
    return out


WRITERS = writers()


def checked(writer: Writer) -> bool:
    """Whether the round trips of ``writer`` are checked (its kind is not ``not_kept``)."""
    return writer.kind not in holds(writer.name).not_kept


def fits(ds: xr.Dataset, writer: Writer, *, kept: bool = True) -> bool:
    """Whether ``writer`` can hold ``ds`` (its kind, dimensions, individuals); with
    ``kept`` (the default), also whether its round trip is checked."""
    h = holds(writer.name)
    if kept and not checked(writer):
        return False
    if writer.kind == "labels":
        if not labels.is_labels(ds):
            return False
    elif labels.is_labels(ds) or ds.attrs["ds_type"] != writer.kind:
        return False
    names = [*ds.individual.values, *(ds.keypoint.values if "keypoint" in ds.dims else [])]
    if any(c in str(name) for c in h.name_chars_lost for name in names):
        return False
    if writer.kind in h.lost_when_empty:
        absent = np.isnan(ds.position.values).reshape(-1, ds.sizes["individual"]).all(axis=0)
        if absent.any():
            return False
    if "space" in ds.dims and ds.sizes["space"] not in h.space:
        return False
    if h.max_individuals is not None and ds.sizes["individual"] > h.max_individuals:
        return False
    if h.magnitude is not None:
        for name in ("position", "shape"):
            if name in ds and np.nanmax(np.abs(ds[name].values), initial=0) > h.magnitude:
                return False
    return True


# --------------------------------------------------------------------------
# writing, reading, comparing


def write_read(ds: xr.Dataset, writer: Writer, folder: Path) -> xr.Dataset:
    """``ds`` written by ``writer`` with posebridge.save and read with posebridge.load."""
    path = folder / f"{writer.name}-{writer.kind}{writer.suffix}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no frame rate, renamed tracks, ...: not the point
        written = posebridge.save(
            ds, path, format=writer.name, overwrite=True, **holds(writer.name).write
        )
        assert written == [path]
        options = holds(writer.name).read_labels if writer.kind == "labels" else {}
        return posebridge.load(path, format=writer.name, **options)


def _frame_index(ds: xr.Dataset) -> np.ndarray:
    frames = model.frame_numbers(ds)
    assert frames is not None, "the frame numbers are lost"
    return frames


def _empty(ds: xr.Dataset) -> np.ndarray:
    """Per time step: no point (or box) at all."""
    return np.isnan(ds.position.values).reshape(ds.sizes["time"], -1).all(axis=1)


def _same(got: np.ndarray, want: np.ndarray, decimals: int | None, what: str) -> None:
    """Equal NaN for NaN; the other numbers bit for bit (-0.0 too), or to ``decimals``."""
    assert got.shape == want.shape, f"{what}: shape {got.shape}, expected {want.shape}"
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=f"{what}: NaN moved")
    got, want = got[~np.isnan(got)].astype(np.float64), want[~np.isnan(want)].astype(np.float64)
    if decimals is None:
        np.testing.assert_array_equal(got, want, err_msg=what)
        assert np.array_equal(np.signbit(got), np.signbit(want)), f"{what}: a sign of zero lost"
    else:
        np.testing.assert_allclose(got, want, rtol=1e-15, atol=1.5 * 10.0**-decimals, err_msg=what)


def _aligned(
    back: xr.Dataset, ds: xr.Dataset, rules: set[str], steps: str
) -> tuple[xr.Dataset, xr.Dataset]:
    """``back`` and ``ds`` on the frames both have, after checking the others are empty."""
    want_frames, got_frames = _frame_index(ds), _frame_index(back)
    added = ~np.isin(got_frames, want_frames)
    lost = ~np.isin(want_frames, got_frames)
    if "adds_empty" in rules:
        assert _empty(back)[added].all(), f"{steps}: frames added with points"
    else:
        assert not added.any(), f"{steps}: frames {got_frames[added]} added"
    if "drops_empty" in rules:
        assert _empty(ds)[lost].all(), f"{steps}: frames with points lost"
    else:
        assert not lost.any(), f"{steps}: frames {want_frames[lost]} lost"
    if not rules:
        assert got_frames.tolist() == want_frames.tolist(), steps
    kept = want_frames[~lost]
    return back.isel(time=np.searchsorted(got_frames, kept)), ds.isel(time=np.flatnonzero(~lost))


def assert_survives(back: xr.Dataset, ds: xr.Dataset, chain: list[Writer]) -> None:
    """What every format of ``chain`` holds of ``ds`` is in ``back``."""
    caps = [holds(w.name) for w in chain]
    steps = " -> ".join(w.id for w in chain)
    rules = {rule for h in caps for rule in h.frames}
    if labels.is_labels(ds):  # one row per labelled frame, in order
        assert back.sizes["time"] == ds.sizes["time"], f"{steps}: labelled frames"
        original = ds
    else:  # frames: aligned on the frame numbers, as far as the chain's formats allow
        back, original = _aligned(back, ds, rules, steps)
    decimals = max((h.decimals for h in caps if h.decimals is not None), default=None)
    assert back.position.dtype == np.float64, f"{steps}: position dtype {back.position.dtype}"
    # names and order
    assert back.space.values.tolist() == ds.space.values.tolist(), steps
    if "keypoint" in ds.dims:
        assert back.keypoint.values.tolist() == ds.keypoint.values.tolist(), steps
    n_ind = ds.sizes["individual"]
    assert back.sizes["individual"] == n_ind, f"{steps}: individuals"
    names_kept = all(h.individual_names for h in caps) and (
        n_ind > 1 or all(h.lone_individual_name for h in caps)
    )
    if names_kept and all(h.individual_order for h in caps):
        assert back.individual.values.tolist() == ds.individual.values.tolist(), steps
    elif names_kept:
        assert sorted(back.individual.values) == sorted(ds.individual.values), steps
        back = back.sel(individual=ds.individual.values)
    # arrays
    for name in ("position", "shape"):
        if name in ds:
            _same(back[name].values, original[name].values, decimals, f"{steps}: {name}")
    if ds.attrs["ds_type"] == "poses":
        got, want = model.confidence_per_keypoint(back), model.confidence_per_keypoint(original)
    else:
        got, want = back.confidence, original.confidence
    got, want = got.values.copy(), want.values.copy()
    if not all(h.missing_confidence for h in caps):
        missing = np.isnan(original.position.values).any(axis=1)  # (time, [keypoint,] ind)
        got[missing], want[missing] = np.nan, np.nan
    _same(got, want, decimals, f"{steps}: confidence")
    # time: never invented
    if "fps" not in ds.attrs:
        assert "fps" not in back.attrs, f"{steps}: a frame rate invented"
        assert back.attrs["time_unit"] == "frames", steps
        assert back.time.dtype == np.int64, steps
    elif all(h.fps for h in caps):
        assert back.attrs["fps"] == ds.attrs["fps"], steps
        assert back.attrs["time_unit"] == "seconds", steps
        if not rules:
            np.testing.assert_array_equal(back.time.values, ds.time.values, err_msg=steps)
    # labelled frames: where each row comes from
    if labels.is_labels(ds):
        assert labels.is_labels(back), f"{steps}: labels came back as predictions"
        assert back.frame.values.tolist() == original.frame.values.tolist(), steps
        by_image = (original.image_path.values != "").all()
        if by_image or all(h.label_rows for h in caps):
            assert back.video.values.tolist() == original.video.values.tolist(), steps
            assert back.image_path.values.tolist() == original.image_path.values.tolist(), steps


def targets(ds: xr.Dataset, source: Writer) -> list[Writer]:
    """The other writers of ``source``'s kind that can hold ``ds``."""
    return [w for w in WRITERS if w != source and w.kind == source.kind and fits(ds, w)]


def check_chains(
    ds: xr.Dataset, source: Writer, choose: Callable[[list[Writer]], list[Writer]] = list
) -> None:
    """Write ``ds`` with ``source`` and read it; then with the (chosen) other writers."""
    with tempfile.TemporaryDirectory() as folder:
        back = write_read(ds, source, Path(folder))
        assert_survives(back, ds, [source])
        for target in choose(targets(back, source)):
            again = write_read(back, target, Path(folder))
            assert_survives(again, ds, [source, target])


# --------------------------------------------------------------------------
# the data


def drawn(writer: Writer) -> st.SearchStrategy[xr.Dataset]:
    """Datasets within what ``writer`` holds."""
    h = holds(writer.name)
    limits: dict[str, Any] = {
        "max_individuals": min(h.max_individuals or 3, 3),
        "name_chars": "".join(c for c in NAME_CHARS if c not in h.name_chars_lost),
    }
    if h.magnitude is not None:
        limits["elements"] = st.floats(-h.magnitude, h.magnitude, allow_nan=False)
    limits["every_individual_present"] = writer.kind in h.lost_when_empty
    if writer.kind == "poses":
        return poses_datasets(n_space=h.space, **limits)
    if writer.kind == "bboxes":
        return bboxes_datasets(**limits)
    return labels_datasets(**limits)


def _fixed() -> dict[str, list[xr.Dataset]]:
    """Hand-made examples, narrow enough that most chains of a kind are exercised."""
    two_d = np.arange(5 * 2 * 3 * 1, dtype=np.float64).reshape(5, 2, 3, 1) * 1.5 - 7.25
    two_d[1, :, 2, 0] = np.nan
    score = np.linspace(0, 1, 15).reshape(5, 3, 1)
    score[4, 0, 0] = np.nan
    one_2d = model.from_numpy(two_d, score, ["mouse"], ["snout", "ear left", "tail-base"])
    one_2d = one_2d.assign_coords(time=[3, 4, 7, 8, 20])
    two_mice = model.from_numpy(
        np.concatenate([two_d, -two_d[::-1]], axis=3), np.concatenate([score, score], axis=2)
    )
    two_mice = model.with_fps(two_mice.assign_coords(time=np.arange(100, 105)), 29.97)
    one_3d = model.from_numpy(
        np.arange(4 * 3 * 2 * 1, dtype=np.float64).reshape(4, 3, 2, 1) / 3,
        keypoint_names=["b", "a"],
    )
    one_3d = model.with_fps(one_3d, 30.0)
    # (time, space, individual); the first track has no box at frame 3
    centre = np.array(
        [[[10.5, 20.0], [1.0, 2.0]], [[np.nan, 3.5], [np.nan, 4.5]], [[12.0, 31.0], [0.0, 8.0]]]
    )
    size = np.array(
        [[[4.0, 2.5], [4.0, 6.0]], [[np.nan, 1.0], [np.nan, 0.0]], [[3.0, 3.0], [4.0, 4.0]]]
    )
    boxes = model.bboxes_from_numpy(
        centre,
        size,
        np.array([[0.5, 0.25], [np.nan, 0.75], [1.0, 0.0]]),
        individual_names=["id_1", "id_4"],
        frame_array=np.array([2, 3, 9]),
        fps=25.0,
    )
    rows = np.arange(3 * 2 * 2 * 3, dtype=np.float64).reshape(3, 2, 2, 3) + 0.5
    rows[1, :, 1, 0] = np.nan
    images = labels.from_numpy(
        rows,
        image_path=[
            "labeled-data/v1/img007.png",
            "labeled-data/v1/img002.png",
            "labeled-data/v2/img010.png",
        ],
        keypoint_names=["nose", "tail"],
        individual_names=["mouse 1", "b", "untracked_0"],  # SLEAP: tracks, then untracked
    )
    video_frames = labels.from_numpy(
        rows[:, :, :, :1], video=["/v/a.mp4", "/v/a.mp4", "/v/b.mp4"], frame=[5, 1, 5]
    )
    return {
        "poses": [one_2d, two_mice, one_3d],
        "bboxes": [boxes],
        "labels": [images, video_frames],
    }


FIXED = _fixed()


# --------------------------------------------------------------------------
# the matrix


def test_every_writer_is_declared():
    """A format that writes and is missing from CAPABILITIES fails here (and below)."""
    missing = [f.name for f in all_formats() if f.writes and f.name not in CAPABILITIES]
    assert not missing, (
        f"formats {missing} write but are not declared in CAPABILITIES: add what each holds"
    )
    unknown = set(CAPABILITIES) - {f.name for f in all_formats() if f.writes}
    assert not unknown, f"CAPABILITIES declares formats that do not write: {unknown}"


def test_every_limit_has_a_reason():
    for name, h in CAPABILITIES.items():
        defaults = Holds(suffixes=h.suffixes)
        limits = {
            f.name
            for f in fields(Holds)
            if f.name not in ("suffixes", "why")
            and getattr(h, f.name) != getattr(defaults, f.name)
        }
        assert limits == set(h.why), f"{name}: reasons given for {set(h.why)}, limits {limits}"
        assert all(h.why.values()), f"{name}: an empty reason"


def test_every_kind_has_a_source_and_a_fixed_example():
    assert {w.kind for w in WRITERS} == set(KINDS)
    for writer in WRITERS:
        fitting = [ds for ds in FIXED[writer.kind] if fits(ds, writer, kept=False)]
        assert fitting, f"no fixed example fits {writer.id}"


def test_every_chain_is_exercised_by_a_fixed_example():
    """Every pair of writers of a kind meets in a fixed example, unless they share no space."""
    for a in filter(checked, WRITERS):
        for b in filter(checked, WRITERS):
            if a == b or a.kind != b.kind:
                continue
            if not set(holds(a.name).space) & set(holds(b.name).space):
                continue  # 2D only and 3D only: nothing to chain
            assert any(fits(ds, a) and fits(ds, b) for ds in FIXED[a.kind]), (
                f"no fixed example goes {a.id} -> {b.id}: add one to _fixed()"
            )


@pytest.mark.parametrize(
    ("source", "ds"),
    [
        pytest.param(w, ds, id=f"{w.id}-{i}")
        for w in WRITERS
        for i, ds in enumerate(FIXED[w.kind])
        if w.name not in CAPABILITIES or fits(ds, w)
    ],
)
def test_fixed_examples_survive_every_chain(source: Writer, ds: xr.Dataset):
    check_chains(ds, source)


@pytest.mark.parametrize("source", [w for w in WRITERS if checked(w)], ids=lambda w: w.id)
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_drawn_datasets_survive_a_drawn_chain(source: Writer, data: st.DataObject):
    ds = data.draw(drawn(source), label="dataset")

    def one(choices: list[Writer]) -> list[Writer]:
        return [data.draw(st.sampled_from(choices), label="then")] if choices else []

    check_chains(ds, source, one)


def _with_views(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` seen by two cameras (a ``view`` dim, last), the second view's points shifted."""
    views = xr.concat([ds, ds.assign(position=ds.position + 1.0)], dim=model.VIEW)
    dims = [*ds.position.dims, model.VIEW]
    views = views.assign_coords({model.VIEW: ["left", "right"]})
    return views.assign(
        position=views.position.transpose(*dims),
        confidence=views.confidence.transpose(*ds.confidence.dims, model.VIEW),
    )


@pytest.mark.parametrize("writer", [w for w in WRITERS if w.kind == "poses"], ids=lambda w: w.id)
def test_camera_views_are_kept_or_refused_by_every_poses_writer(writer: Writer, tmp_path):
    """A dataset with several views is written with its views or refused with a posebridge
    error, leaving no file: never a raw error, never one view's poses passed off as all."""
    base = FIXED["poses"][0] if 2 in holds(writer.name).space else FIXED["poses"][2]
    ds = _with_views(base)
    try:
        back = write_read(ds, writer, tmp_path)
    except PoseBridgeError as error:
        assert "view" in str(error)
        assert [p.name for p in tmp_path.iterdir()] == []
        return
    assert back.sizes[model.VIEW] == 2
    assert back[model.VIEW].values.tolist() == ["left", "right"]
    np.testing.assert_allclose(
        back.position.transpose(*ds.position.dims).values, ds.position.values, equal_nan=True
    )
